namespace Agent.Domain.Tools;

/// <summary>
/// Tells whoever watches an execution (its event stream) that a tool approval request was added or decided, so it can
/// show the execution as awaiting approval and stop doing so. The request carries its <see cref="ToolApprovalRequest.ExecutionId"/>.
/// </summary>
public interface IToolApprovalNotifications
{
    /// <summary>Calls <paramref name="changed"/> on the thread that saved the request; keep it short. Dispose to stop.</summary>
    IDisposable Subscribe(Action<ToolApprovalRequest> changed);
}
