using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Agent.Web.Hosting;

/// <summary>
/// The log redaction policy, applied to every event before any sink sees it: a property whose name says it holds a
/// secret (password, secret, api key, authorization, cookie, access token) is replaced whole, and key-shaped values
/// anywhere (provider keys sk-..., personal access tokens pat_..., Bearer credentials, GitHub/Slack/AWS keys) are
/// masked inside any string property, nested ones included. Message templates are constants (structured logging), so
/// a secret reaches a log line only through a property. Serilog's destructuring policies see only objects that are
/// destructured (@); an enricher sees every property, so the policy is one.
/// </summary>
public sealed partial class SecretRedaction : ILogEventEnricher
{
    public const string Mask = "[redacted]";

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            var redacted = IsSecretByName(name, value) ? new ScalarValue(Mask) : Redact(value);
            if (!ReferenceEquals(redacted, value))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    public static string RedactText(string text) => SecretValue().Replace(text, m => m.Groups["keep"].Success ? m.Groups["keep"].Value + Mask : Mask);

    private static LogEventPropertyValue Redact(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text }:
                var masked = RedactText(text);
                return masked == text ? value : new ScalarValue(masked);
            case SequenceValue sequence:
                var items = sequence.Elements.Select(Redact).ToList();
                return items.SequenceEqual(sequence.Elements) ? value : new SequenceValue(items);
            case StructureValue structure:
                var properties = structure.Properties
                    .Select(p => IsSecretByName(p.Name, p.Value) ? new LogEventProperty(p.Name, new ScalarValue(Mask)) : new LogEventProperty(p.Name, Redact(p.Value)))
                    .ToList();
                return properties.Select(p => p.Value).SequenceEqual(structure.Properties.Select(p => p.Value)) ? value : new StructureValue(properties, structure.TypeTag);
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(e.Key,
                    e.Key.Value is string key && IsSecretByName(key, e.Value) ? new ScalarValue(Mask) : Redact(e.Value))).ToList();
                return entries.Select(e => e.Value).SequenceEqual(dictionary.Elements.Select(e => e.Value)) ? value : new DictionaryValue(entries);
            default:
                return value;
        }
    }

    /// <summary>
    /// A string under a secret-sounding name, unless it is a reference (an environment variable's NAME such as
    /// RUNTIME_ADMIN_TOKEN, env:NAME or ${NAME}): references are how this app names secrets, and are not secrets.
    /// </summary>
    private static bool IsSecretByName(string name, LogEventPropertyValue value) =>
        SecretName().IsMatch(name) && value is ScalarValue { Value: var v } && (v is null || (v is string text && !Reference().IsMatch(text)));

    [GeneratedRegex(@"(?i)(password|passwd|secret|api[-_]?key|authorization|cookie|credential|access[-_]?token|refresh[-_]?token|^token$|^x-api-key$)")]
    private static partial Regex SecretName();

    [GeneratedRegex(@"^([A-Z][A-Z0-9_]*|env:[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})$")]
    private static partial Regex Reference();

    [GeneratedRegex(@"(?<keep>(?i:bearer|basic)\s+)\S{8,}|sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|pat_[A-Za-z0-9_-]{20,}|gh[pousr]_[A-Za-z0-9]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}")]
    private static partial Regex SecretValue();
}
