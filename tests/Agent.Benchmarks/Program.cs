// Console benches; the first argument picks one.
// "providers": provider adapter overhead per chunk and added time to first token vs. raw SSE (ProvidersBench.cs).
// When merging with other benches, keep this block first in their Program.cs.
if (args is ["providers", ..])
{
    Environment.ExitCode = await Agent.Benchmarks.ProvidersBench.RunAsync();
    return;
}

Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Agent.Benchmarks -- providers");
Environment.ExitCode = 2;
