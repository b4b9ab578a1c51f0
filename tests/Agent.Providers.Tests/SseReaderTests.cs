using System.Text;

namespace Agent.Providers.Tests;

public sealed class SseReaderTests
{
    [Fact]
    public async Task Reads_events_names_multi_line_data_comments_and_crlf()
    {
        var text = ": comment\r\nevent: one\r\ndata: a\r\ndata: b\r\n\r\nid: 7\ndata:no-space\n\nretry: 10\n\n";
        var events = await ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        Assert.Equal([new SseEvent("one", "a\nb"), new SseEvent(null, "no-space")], events);
    }

    [Fact]
    public async Task An_event_without_its_blank_line_at_the_end_is_dropped()
    {
        var events = await ReadAll(new MemoryStream("data: complete\n\ndata: partial"u8.ToArray()));
        Assert.Equal([new SseEvent(null, "complete")], events);
    }

    [Fact]
    public async Task Multi_byte_characters_split_across_reads_are_reassembled()
    {
        var bytes = Encoding.UTF8.GetBytes("data: Grüße 🌍 日本語\n\n");
        var events = await ReadAll(new OneByteStream(bytes));
        Assert.Equal("Grüße 🌍 日本語", Assert.Single(events).Data);
    }

    [Fact]
    public async Task Invalid_utf8_and_unknown_fields_are_format_errors()
    {
        var invalid = await Assert.ThrowsAsync<SseFormatException>(() => ReadAll(new MemoryStream([.. "data: "u8.ToArray(), 0xC3, 0x28, (byte)'\n', (byte)'\n'])));
        Assert.Contains("not valid UTF-8", invalid.Message, StringComparison.Ordinal);
        var unknown = await Assert.ThrowsAsync<SseFormatException>(() => ReadAll(new MemoryStream("{\"json\": 1}\n\n"u8.ToArray())));
        Assert.Contains("line 1", unknown.Message, StringComparison.Ordinal);
    }

    private static async Task<List<SseEvent>> ReadAll(Stream stream)
    {
        var list = new List<SseEvent>();
        await foreach (var e in SseReader.ReadAsync(stream, CancellationToken.None))
        {
            list.Add(e);
        }

        return list;
    }

    private sealed class OneByteStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => base.ReadAsync(buffer, offset, Math.Min(1, count), cancellationToken);
    }
}
