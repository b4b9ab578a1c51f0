namespace Agent.Web.Components.Shared;

public enum PanelStateKind
{
    Loading,
    Empty,
    Blocked,
    Error,
    Ready,
}
