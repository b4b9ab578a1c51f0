using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;

namespace Agent.Runtime.Services;

/// <summary>A chat's own settings (<see cref="ChatSettings"/>), kept in its session's state beside its tool mode and team.</summary>
public sealed class ChatSettingsStore(IStateStore state, TimeProvider time)
{
    public async Task<ChatSettings> GetAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        ChatSettings.From((await state.ListAsync(StateScopes.Session(tenantId, sessionId), cancellationToken)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));

    /// <summary>Keeps the settings (blank instructions and a null temperature remove theirs); refused when <see cref="ChatSettings.Problem"/> says why.</summary>
    public async Task SetAsync(string tenantId, Guid sessionId, ChatSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Problem() is { } problem)
        {
            throw new ArgumentException(problem, nameof(settings));
        }

        var scope = StateScopes.Session(tenantId, sessionId);
        if (string.IsNullOrWhiteSpace(settings.SystemPrompt))
        {
            await state.RemoveAsync(scope, SessionStateKeys.SystemPrompt, cancellationToken);
        }
        else
        {
            await state.SetAsync(new StateEntry(scope, SessionStateKeys.SystemPrompt, settings.SystemPrompt.Trim(), time.GetUtcNow()), cancellationToken);
        }

        if (settings.Temperature is { } temperature)
        {
            await state.SetAsync(new StateEntry(scope, SessionStateKeys.Temperature, ChatSettings.FormatTemperature(temperature), time.GetUtcNow()), cancellationToken);
        }
        else
        {
            await state.RemoveAsync(scope, SessionStateKeys.Temperature, cancellationToken);
        }
    }
}
