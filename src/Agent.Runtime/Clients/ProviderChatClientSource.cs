using Agent.Domain.Sessions;
using Agent.Runtime.Clients.Common;

namespace Agent.Runtime.Clients;

/// <summary>Resolves a session's provider through <see cref="ProviderClients"/>, which fails closed.</summary>
public sealed class ProviderChatClientSource(ProviderClients providers) : IChatClientSource
{
    public ChatClientLease Resolve(ChatSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        try
        {
            var client = providers.GetClient(session.ProviderName, session.ModelId, chosenForSession: true);
            var mode = providers.Describe(session.ProviderName)!.Spec.Mode.ToString().ToLowerInvariant();
            return new ChatClientLease(client, session.ProviderName, session.ModelId, mode);
        }
        catch (ProviderException ex)
        {
            throw new ChatRefusedException(ex.Error.ToString());
        }
    }
}
