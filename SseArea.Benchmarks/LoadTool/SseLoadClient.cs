using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SseArea.LoadTool;

/// <summary>
/// One SSE connection on a raw socket bound to a chosen loopback source address: a minimal GET,
/// then <see cref="SseResponseDecoder"/> over a small receive buffer. Cheaper per connection than
/// an HttpClient response stream, and the source address is a plain <see cref="Socket.Bind"/>.
/// </summary>
internal sealed class SseLoadClient : ISseEventSink, IDisposable
{
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;
    private readonly Socket _socket;
    private readonly SseResponseDecoder _decoder;
    private readonly TaskCompletionSource<int> _status = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LoadPhase _phases;
    private long _pendingTimestamp = -1;
    private int _delivered;
    private long _lastReceived;

    public SseLoadClient(LoadPhase phases)
    {
        _phases = phases;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _decoder = new SseResponseDecoder(this);
    }

    /// <summary>Events received so far (all phases).</summary>
    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary><see cref="Stopwatch.GetTimestamp"/> of the last event received; 0 before any.</summary>
    public long LastReceived => Volatile.Read(ref _lastReceived);

    /// <summary>Set once the server ended the stream or the socket failed after the head.</summary>
    public bool Ended { get; private set; }

    /// <summary>Why reading stopped, when it was not the tool closing the connection.</summary>
    public string? EndReason { get; private set; }

    /// <summary>
    /// Connects from <paramref name="source"/>, sends the request and starts reading; completes with
    /// the response status once the head arrived (the server then has the listener in place).
    /// </summary>
    /// <param name="openTimeout">Bounds connecting and waiting for the head.</param>
    /// <param name="stop">Ends reading; the stream outlives <paramref name="openTimeout"/>.</param>
    public async Task<int> OpenAsync(IPAddress source, IPEndPoint server, byte[] request, CancellationToken openTimeout, CancellationToken stop)
    {
        if (OperatingSystem.IsLinux())
        {
            // IP_BIND_ADDRESS_NO_PORT: choose the port at connect time, per destination, instead of
            // reserving one of the source address's ~28 000 ports for every destination at bind time.
            _socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
        }

        _socket.Bind(new IPEndPoint(source, 0));
        await _socket.ConnectAsync(server, openTimeout);
        await _socket.SendAsync(request, SocketFlags.None, openTimeout);
        _ = ReadAsync(stop);
        return await _status.Task.WaitAsync(openTimeout);
    }

    public static byte[] Request(Uri url) => Encoding.ASCII.GetBytes(
        $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");

    public void OnStatus(int statusCode) => _status.TrySetResult(statusCode);

    public void OnData(ReadOnlySpan<byte> value)
    {
        if (BenchPayload.TryReadTimestamp(value, out var timestamp))
        {
            _pendingTimestamp = timestamp;
        }
    }

    public void OnEvent()
    {
        var now = Stopwatch.GetTimestamp();
        if (_pendingTimestamp >= 0)
        {
            _phases.Current.Record(_pendingTimestamp, now);
            _pendingTimestamp = -1;
        }

        Volatile.Write(ref _lastReceived, now);
        Interlocked.Increment(ref _delivered);
    }

    public void Dispose() => _socket.Dispose();

    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[2048];
        try
        {
            while (!_decoder.IsDone)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    EndReason = "the server closed the stream";
                    break;
                }

                _decoder.Feed(buffer.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or InvalidDataException)
        {
            EndReason = e is InvalidDataException or SocketException ? $"{e.GetType().Name}: {e.Message}" : null;
            _status.TrySetException(e);
        }
        finally
        {
            _status.TrySetException(new IOException("The server closed the connection before the response head."));
            Ended = true;
        }
    }
}

/// <summary>The recorder of the phase in progress; clients record into whichever is current.</summary>
internal sealed class LoadPhase : IDisposable
{
    private LatencyRecorder _current = new();

    public LatencyRecorder Current => Volatile.Read(ref _current);

    /// <summary>Starts a new phase and returns the recorder of the one that ends.</summary>
    public LatencyRecorder Next() => Interlocked.Exchange(ref _current, new LatencyRecorder());

    public void Dispose() => Current.Dispose();
}
