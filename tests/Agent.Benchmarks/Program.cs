// Console benches; the first argument picks one. "providers": adapter overhead vs. raw SSE (ProvidersBench.cs).
if (args is ["providers", ..])
{
    return await Agent.Benchmarks.ProvidersBench.RunAsync();
}

Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Agent.Benchmarks -- providers");
return 2;
