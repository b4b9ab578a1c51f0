namespace Agent.Runtime.Clients.Common;

/// <summary>
/// One model call as <see cref="ProviderHttpHandler"/> sees it: who it is for, and what the HTTP layer learnt about it
/// (attempts, the provider's error answer, the stream tap).
/// </summary>
internal sealed class ProviderCall(ProviderContext context, string model, string correlationId, bool hasKey)
{
    // The SDKs build the HttpRequestMessage themselves and have no per-call hook for headers or request options, so the
    // call's identity reaches our handler (and what the handler learns comes back) through the async flow.
    private static readonly AsyncLocal<ProviderCall?> Ambient = new();

    public static ProviderCall? Current
    {
        get => Ambient.Value;
        set => Ambient.Value = value;
    }

    public ProviderContext Context { get; } = context;

    public string Model { get; } = model;

    public string CorrelationId { get; } = correlationId;

    public bool HasKey { get; } = hasKey;

    /// <summary>HTTP attempts of the last request (more than 1 when the resilience pipeline retried).</summary>
    public int Attempts { get; set; } = 1;

    /// <summary>The tap on the streamed answer, when the answer is an event stream.</summary>
    public SseTapStream? Tap { get; set; }

    /// <summary>The provider's error answer after the last attempt, as the user sees it.</summary>
    public ProviderError? ErrorAnswer { get; set; }
}
