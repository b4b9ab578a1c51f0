using Agent.Domain.Sessions;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients;

/// <summary>The client a session's turn talks to, and how to label its replies.</summary>
public sealed record ChatClientLease(IChatClient Client, string ProviderName, string ModelId, string ProviderMode);

/// <summary>Resolves a session's provider; throws <see cref="ChatRefusedException"/> for a blocked one.</summary>
public interface IChatClientSource
{
    ChatClientLease Resolve(ChatSession session);
}

/// <summary>A turn that must not start: the message says why and what to do.</summary>
public sealed class ChatRefusedException(string message) : Exception(message);
