using System.Buffers.Binary;

namespace Agent.Domain.Voice;

/// <summary>What a RIFF/WAVE header says about its audio.</summary>
public sealed record WavInfo(int AudioFormat, int Channels, int SampleRate, int BitsPerSample, int DataBytes)
{
    public TimeSpan Duration => Channels <= 0 || SampleRate <= 0 || BitsPerSample <= 0
        ? TimeSpan.Zero
        : TimeSpan.FromSeconds((double)DataBytes / (Channels * SampleRate * (BitsPerSample / 8)));
}

/// <summary>Reads and writes the canonical PCM WAV layout (RIFF, fmt, data); pure byte work.</summary>
public static class WavFormat
{
    public const int Pcm = 1;
    public const int IeeeFloat = 3;

    /// <summary>Null and the problem when the bytes are not a WAV file whose chunks fit inside it.</summary>
    public static WavInfo? TryRead(ReadOnlySpan<byte> bytes, out string? problem)
    {
        problem = null;
        if (bytes.Length < 12 || !bytes[..4].SequenceEqual("RIFF"u8) || !bytes.Slice(8, 4).SequenceEqual("WAVE"u8))
        {
            problem = "does not start with a RIFF/WAVE header";
            return null;
        }

        int? format = null, channels = null, rate = null, bits = null;
        var offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            var id = bytes.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(offset + 4, 4));
            var body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > bytes.Length)
                {
                    problem = "has a truncated fmt chunk";
                    return null;
                }

                format = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(bytes.Slice(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(body + 14, 2));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    problem = "has its data chunk before the fmt chunk";
                    return null;
                }

                // Streaming writers put 0xFFFFFFFF (unknown length) here; the data then runs to the end of the file.
                var available = bytes.Length - body;
                var dataBytes = size == uint.MaxValue || size > (uint)available ? available : (int)size;
                if (size != uint.MaxValue && size > (uint)available)
                {
                    problem = $"declares {size} data bytes but holds {available}";
                    return null;
                }

                if (channels is < 1 or > 8 || rate is < 1000 or > 384_000 || bits is not (8 or 16 or 24 or 32))
                {
                    problem = $"has an implausible format (channels {channels}, rate {rate}, bits {bits})";
                    return null;
                }

                return new WavInfo(format.Value, channels!.Value, rate!.Value, bits!.Value, dataBytes);
            }

            offset = body + (int)Math.Min(size + (size & 1), int.MaxValue - body);
        }

        problem = format is null ? "has no fmt chunk" : "has no data chunk";
        return null;
    }

    /// <summary>A 16-bit PCM WAV file of the given mono samples.</summary>
    public static byte[] WritePcm16(ReadOnlySpan<short> samples, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1000);
        var dataBytes = samples.Length * 2;
        var bytes = new byte[44 + dataBytes];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataBytes);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], Pcm);
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1);
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], sampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataBytes);
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(span[(44 + (i * 2))..], samples[i]);
        }

        return bytes;
    }

    /// <summary>A mono sine tone (for emulators and tests): <paramref name="amplitude"/> of full scale, in [0, 1].</summary>
    public static byte[] Tone(TimeSpan duration, int sampleRate, double frequencyHz, double amplitude = 0.3)
    {
        var count = (int)(duration.TotalSeconds * sampleRate);
        var samples = new short[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = (short)(Math.Sin(2 * Math.PI * frequencyHz * i / sampleRate) * amplitude * short.MaxValue);
        }

        return WritePcm16(samples, sampleRate);
    }
}
