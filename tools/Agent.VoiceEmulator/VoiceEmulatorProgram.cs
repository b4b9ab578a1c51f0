namespace Agent.VoiceEmulator;

/// <summary>dotnet run --project tools/Agent.VoiceEmulator -- --urls http://127.0.0.1:5091</summary>
public static class VoiceEmulatorProgram
{
    public static async Task<int> Main(string[] args)
    {
        var urls = args.SkipWhile(a => a != "--urls").Skip(1).FirstOrDefault() ?? "http://127.0.0.1:5091";
        await using var server = await VoiceEmulatorServer.StartAsync(new VoiceEmulatorSettings(), urls, quiet: false);
        Console.WriteLine($"Voice emulator listening on {server.BaseAddress} (STT: {server.SttUrl}, TTS: {server.TtsUrl}). Ctrl+C stops it.");
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
