namespace Agent.ProviderEmulator;

/// <summary>dotnet run --project tools/Agent.ProviderEmulator -- --urls http://127.0.0.1:5090 [--chunk-delay-ms 20]</summary>
public static class EmulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var settings = new EmulatorSettings();
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--chunk-delay-ms" && int.TryParse(args[i + 1], out var delay))
            {
                settings.ChunkDelayMs = delay;
            }
        }

        var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:5090";
        await using var server = await EmulatorServer.StartAsync(settings, urls, quiet: false);
        Console.WriteLine($"Provider emulator listening on {server.BaseAddress} (OpenAI: {server.OpenAIBaseUrl}, Anthropic: {server.AnthropicBaseUrl}). Ctrl+C stops it.");
        var done = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            done.TrySetResult();
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) => done.TrySetResult();
        await done.Task;
        return 0;
    }
}
