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

public sealed record ToolResultPart(string CallId, string ResultJson, bool IsError) : MessagePart;

public sealed record AttachmentRefPart(Guid AttachmentId, string FileName, string MediaType, long SizeBytes) : MessagePart;
