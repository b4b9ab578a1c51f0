using System.Text.Json.Serialization;

namespace Agent.Domain.Sessions;

/// <summary>A typed piece of a message's content.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(TextPart), "text")]
[JsonDerivedType(typeof(ToolCallPart), "tool_call")]
[JsonDerivedType(typeof(ToolResultPart), "tool_result")]
[JsonDerivedType(typeof(AttachmentRefPart), "attachment")]
public abstract record MessagePart;

public sealed record TextPart(string Text) : MessagePart;

/// <summary>A call the model asked for; <see cref="ArgumentsJson"/> is exactly what the model sent.</summary>
public sealed record ToolCallPart(string CallId, string ToolName, string ArgumentsJson) : MessagePart;

/// <summary>A tool's result; <see cref="ApprovedBy"/> says who let it run (policy or person) and <see cref="DurationMs"/> how long it took.</summary>
public sealed record ToolResultPart(string CallId, string ResultJson, bool IsError, string? ApprovedBy = null, double? DurationMs = null) : MessagePart;

public sealed record AttachmentRefPart(Guid AttachmentId, string FileName, string MediaType, long SizeBytes) : MessagePart;
