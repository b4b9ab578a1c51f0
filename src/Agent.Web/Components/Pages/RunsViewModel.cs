using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Shared;
using Agent.Web.Services;

namespace Agent.Web.Components.Pages;

/// <summary>
/// A row of the runs grid. The grid keys rows by item, so a record replaced by its next state would rebuild the row
/// (and its Cancel button, under a person's pointer); the row stays and only its record changes.
/// </summary>
public sealed class RunRow(ExecutionRecord record, string? sessionTitle)
{
    public ExecutionRecord Record { get; set; } = record;

    /// <summary>The title of the run's session, null for a run without one (or whose session is gone).</summary>
    public string? SessionTitle { get; set; } = sessionTitle;

    public string Intent => RunFormat.Intent(Record.Intent);

    /// <summary>What the row is called: its session's title, else its intent in words.</summary>
    public string Title => SessionTitle ?? Intent;

    public string ShortId => Record.Id.ToString("N")[..8];
}

/// <summary>
/// The Runs page's state and logic: filters, one page of executions with their sessions' titles (one lookup per page),
/// and the live changes pushed between reads. The component renders it and forwards events.
/// </summary>
public sealed class RunsViewModel(ICurrentTenant tenant, IExecutionStore executions, ISessionStore sessions, ILogger<RunsViewModel> logger)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, ExecutionRecord> changed = [];
    private readonly Dictionary<Guid, ExecutionRecord> pushed = [];
    private List<RunRow> page = [];

    public string TenantId => tenant.TenantId;

    /// <summary>The status shown; null for all.</summary>
    public ExecutionStatus? Status { get; private set; }

    /// <summary>Text the title (or the intent in words) must contain; empty for any.</summary>
    public string Text { get; private set; } = "";

    public IReadOnlyList<RunRow> Page => page;

    public int Total { get; private set; }

    public bool Loaded { get; private set; }

    public string? LoadError { get; private set; }

    public bool Filtered => Status is not null || !string.IsNullOrWhiteSpace(Text);

    public bool AnyRunning => page.Any(r => r.Record.Status == ExecutionStatus.Running);

    public PanelStateKind State => LoadError is not null ? PanelStateKind.Error
        : !Loaded ? PanelStateKind.Loading
        : Total == 0 && !Filtered ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    public string? StateMessage => State switch
    {
        PanelStateKind.Error => LoadError,
        PanelStateKind.Loading => "Loading runs…",
        PanelStateKind.Empty => "No runs yet. Every chat turn and long task is listed here with its status, progress and attempts; start a diagnostic task to see one.",
        _ => null,
    };

    public string? Badge => !Loaded ? null
        : $"{Total} {(Total == 1 ? "run" : "runs")}{(Filtered ? (Total == 1 ? " matches" : " match") : "")} · {page.Count(r => r.Record.Status == ExecutionStatus.Running)} running on this page";

    /// <summary>Sets the status filter; true when it changed (the page must be read again).</summary>
    public bool SetStatus(ExecutionStatus? status)
    {
        if (Status == status)
        {
            return false;
        }

        Status = status;
        return true;
    }

    /// <summary>Sets the text filter; true when it changed (the page must be read again).</summary>
    public bool SetText(string? text)
    {
        text = text?.Trim() ?? "";
        if (text == Text)
        {
            return false;
        }

        Text = text;
        return true;
    }

    public void ClearError() => LoadError = null;

    /// <summary>Reads one page (newest first) and its sessions' titles in one lookup; a failure becomes <see cref="LoadError"/>.</summary>
    public async Task LoadAsync(int pageIndex, int pageSize, CancellationToken cancellationToken)
    {
        try
        {
            var filter = new ExecutionFilter(Status, Text.Length == 0 ? null : Text, Text.Length == 0 ? null : RunFormat.IntentsMatching(Text));
            var result = await executions.PageAsync(TenantId, filter, pageIndex * pageSize, pageSize, cancellationToken);
            var sessionIds = result.Items.Where(r => r.SessionId is not null).Select(r => r.SessionId!.Value).ToHashSet();
            var titles = await sessions.TitlesAsync(TenantId, sessionIds, cancellationToken);
            lock (gate)
            {
                // A read can be older than a change already pushed (a cancel seen while this page was loading).
                var rows = page.ToDictionary(r => r.Record.Id);
                page = [.. result.Items.Select(r =>
                {
                    var shown = pushed.TryGetValue(r.Id, out var newer) && Supersedes(newer, r) ? newer : r;
                    var title = r.SessionId is { } id && titles.TryGetValue(id, out var t) ? t : null;
                    if (rows.TryGetValue(r.Id, out var row))
                    {
                        row.Record = shown;
                        row.SessionTitle = title;
                        return row;
                    }

                    return new RunRow(shown, title);
                })];
                Total = result.Total;
            }

            Loaded = true;
            LoadError = null;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Loading runs failed");
            LoadError = $"The runs could not be loaded: {ex.Message}";
            page = [];
        }
    }

    /// <summary>Notes a change from the feed; false when it belongs to another tenant (nothing to do).</summary>
    public bool Push(ExecutionChange change)
    {
        if (change.Execution.TenantId != TenantId)
        {
            return false;
        }

        lock (gate)
        {
            changed[change.Execution.Id] = change.Execution;
            pushed[change.Execution.Id] = change.Execution;
        }

        return true;
    }

    /// <summary>Applies the changes pushed since the last call to the rows on the page; true when one is not on it (read the page again).</summary>
    public bool ApplyPushed()
    {
        List<ExecutionRecord> updates;
        lock (gate)
        {
            updates = [.. changed.Values];
            changed.Clear();
        }

        var reload = false;
        foreach (var update in updates)
        {
            if (page.Find(r => r.Record.Id == update.Id) is { } row)
            {
                row.Record = update;
            }
            else
            {
                reload = true;
            }
        }

        return reload;
    }

    /// <summary>Whether a pushed record is at least as far along as one read from the store: a later attempt, or the same attempt in a later or equal state.</summary>
    private static bool Supersedes(ExecutionRecord pushedRecord, ExecutionRecord read) =>
        pushedRecord.Attempts != read.Attempts
            ? pushedRecord.Attempts > read.Attempts
            : Rank(pushedRecord.Status) > Rank(read.Status) || (Rank(pushedRecord.Status) == Rank(read.Status) && pushedRecord.Progress >= read.Progress);

    private static int Rank(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Created or ExecutionStatus.Queued => 0,
        ExecutionStatus.Running => 1,
        _ => 2,
    };
}
