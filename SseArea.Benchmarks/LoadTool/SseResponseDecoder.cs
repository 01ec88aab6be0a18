using System.Globalization;
using System.Text;

namespace SseArea.LoadTool;

/// <summary>What a <see cref="SseResponseDecoder"/> finds in a response.</summary>
internal interface ISseEventSink
{
    /// <summary>The response head arrived with this status code.</summary>
    void OnStatus(int statusCode);

    /// <summary>A <c>data:</c> field's value (one optional leading space removed); valid only during the call.</summary>
    void OnData(ReadOnlySpan<byte> value);

    /// <summary>A blank line ended an event that had at least one <c>data:</c> field.</summary>
    void OnEvent();
}

/// <summary>
/// A minimal HTTP/1.1 response reader for one SSE stream, fed with bytes as they arrive in any
/// split: the status line and headers, then a chunked or plain body, split into SSE lines (CR, LF
/// or CRLF) and fields. Only what the load tool needs: <c>data:</c> values and event boundaries.
/// </summary>
internal sealed class SseResponseDecoder(ISseEventSink sink)
{
    private const int MaxHeadBytes = 16 * 1024;
    private const int MaxLineBytes = 1024 * 1024;

    private readonly List<byte> _head = [];
    private readonly List<byte> _chunkSizeLine = [];
    private byte[] _line = new byte[256];
    private int _lineLength;
    private State _state = State.Head;
    private bool _chunked;
    private long _chunkLeft;
    private bool _skipLf;
    private bool _eventHasData;

    private enum State
    {
        Head,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Plain,
        Done,
    }

    /// <summary>The status code, once the head has arrived; 0 before.</summary>
    public int StatusCode { get; private set; }

    /// <summary><see langword="true"/> after the last chunk, or after a head whose status is not 200.</summary>
    public bool IsDone => _state == State.Done;

    /// <summary>Reads the next bytes of the response.</summary>
    /// <exception cref="InvalidDataException">The bytes are not an HTTP/1.1 response this reader understands.</exception>
    public void Feed(ReadOnlySpan<byte> input)
    {
        while (!input.IsEmpty)
        {
            switch (_state)
            {
                case State.Head:
                    input = input[ReadHead(input)..];
                    break;
                case State.ChunkSize:
                    {
                        var lf = input.IndexOf((byte)'\n');
                        if (lf < 0)
                        {
                            AddChunkSizePart(input);
                            return;
                        }

                        AddChunkSizePart(input[..lf]);
                        _chunkLeft = ParseChunkSize(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_chunkSizeLine));
                        _chunkSizeLine.Clear();
                        input = input[(lf + 1)..];
                        _state = _chunkLeft == 0 ? State.Done : State.ChunkData;
                        break;
                    }

                case State.ChunkData:
                    {
                        var n = (int)Math.Min(_chunkLeft, input.Length);
                        ReadBody(input[..n]);
                        _chunkLeft -= n;
                        input = input[n..];
                        if (_chunkLeft == 0)
                        {
                            _state = State.ChunkDataEnd;
                        }

                        break;
                    }

                case State.ChunkDataEnd:
                    {
                        // The CRLF after a chunk's data.
                        var lf = input.IndexOf((byte)'\n');
                        if (lf < 0)
                        {
                            return;
                        }

                        input = input[(lf + 1)..];
                        _state = State.ChunkSize;
                        break;
                    }

                case State.Plain:
                    ReadBody(input);
                    return;
                default:
                    return;
            }
        }
    }

    private int ReadHead(ReadOnlySpan<byte> input)
    {
        var before = _head.Count;
        _head.AddRange(input);
        var all = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_head);
        var end = all.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return _head.Count <= MaxHeadBytes
                ? input.Length
                : throw new InvalidDataException($"No end of the response head within {MaxHeadBytes} bytes.");
        }

        ParseHead(Encoding.Latin1.GetString(all[..end]));
        _head.Clear();
        return end + 4 - before;
    }

    private void ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var status = lines[0].Split(' ', 3);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal)
            || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            throw new InvalidDataException($"Not an HTTP/1.x status line: '{lines[0]}'.");
        }

        foreach (var line in lines.AsSpan(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                _chunked = line.AsSpan(colon + 1).Trim().Equals("chunked", StringComparison.OrdinalIgnoreCase);
            }
        }

        StatusCode = code;
        _state = code != 200 ? State.Done : _chunked ? State.ChunkSize : State.Plain;
        sink.OnStatus(code);
    }

    // Kept apart from _line: a chunk may end in the middle of an SSE line.
    private void AddChunkSizePart(ReadOnlySpan<byte> part)
    {
        _chunkSizeLine.AddRange(part);
        if (_chunkSizeLine.Count > 1024)
        {
            throw new InvalidDataException("A chunk size line longer than 1024 bytes.");
        }
    }

    private static long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        var semicolon = line.IndexOf((byte)';');
        var digits = (semicolon < 0 ? line : line[..semicolon]).Trim("\r \t"u8);
        return long.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) && size >= 0
            ? size
            : throw new InvalidDataException($"Not a chunk size: '{Encoding.Latin1.GetString(line)}'.");
    }

    private void ReadBody(ReadOnlySpan<byte> body)
    {
        while (!body.IsEmpty)
        {
            if (_skipLf)
            {
                // A CR ended the previous line: an LF right after it belongs to the same line end.
                _skipLf = false;
                if (body[0] == (byte)'\n')
                {
                    body = body[1..];
                    continue;
                }
            }

            var end = body.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                AppendLine(body);
                return;
            }

            if (_lineLength == 0)
            {
                ReadLine(body[..end]);
            }
            else
            {
                AppendLine(body[..end]);
                ReadLine(_line.AsSpan(0, _lineLength));
                _lineLength = 0;
            }

            _skipLf = body[end] == (byte)'\r';
            body = body[(end + 1)..];
        }
    }

    private void ReadLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty)
        {
            if (_eventHasData)
            {
                _eventHasData = false;
                sink.OnEvent();
            }

            return;
        }

        if (line[0] == (byte)':')
        {
            return; // a comment (the preamble, heartbeats)
        }

        var colon = line.IndexOf((byte)':');
        var name = colon < 0 ? line : line[..colon];
        if (!name.SequenceEqual("data"u8))
        {
            return;
        }

        var value = colon < 0 ? [] : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        _eventHasData = true;
        sink.OnData(value);
    }

    private void AppendLine(ReadOnlySpan<byte> part)
    {
        var needed = _lineLength + part.Length;
        if (needed > _line.Length)
        {
            if (needed > MaxLineBytes)
            {
                throw new InvalidDataException($"A line longer than {MaxLineBytes} bytes.");
            }

            Array.Resize(ref _line, Math.Max(needed, _line.Length * 2));
        }

        part.CopyTo(_line.AsSpan(_lineLength));
        _lineLength = needed;
    }
}
