using System.IO.Pipelines;
using System.Text;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>One client's stream: its queue drained into the response, a batch per flush, until it ends.</summary>
[CancelAfter(10_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SseConnectionTests : IDisposable
{
    private readonly TestStreams _streams = new(TimeSpan.Zero);

    public void Dispose() => _streams.Dispose();

    private static SseFrame Frame(string text) => new(Encoding.UTF8.GetBytes(text));

    [Test]
    public async Task PumpAsync_AfterOverflow_WritesTheQueuedFramesThenEnds(CancellationToken cancellationToken)
    {
        var connection = _streams.Connection(capacity: 2);
        connection.TryWrite(Frame("data:a\n\n"));
        connection.TryWrite(Frame("data:b\n\n"));
        connection.TryWrite(Frame("data:c\n\n"));
        var pipe = new Pipe();

        await connection.PumpAsync(pipe.Writer, cancellationToken);
        await pipe.Writer.CompleteAsync();

        using var output = new MemoryStream();
        await pipe.Reader.CopyToAsync(output, cancellationToken);
        Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("data:a\n\ndata:b\n\n"));
    }

    [Test]
    public async Task PumpAsync_WritesFramesInOrderUntilCanceled(CancellationToken cancellationToken)
    {
        var connection = _streams.Connection(capacity: 4);
        var pipe = new Pipe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(pipe.Writer, stop.Token);

        connection.TryWrite(Frame("data:1\n\n"));
        connection.TryWrite(Frame("data:2\n\n"));
        var text = string.Empty;
        while (text.Length < "data:1\n\ndata:2\n\n".Length)
        {
            var read = await pipe.Reader.ReadAsync(cancellationToken);
            text += Encoding.UTF8.GetString(read.Buffer);
            pipe.Reader.AdvanceTo(read.Buffer.End);
        }

        await stop.CancelAsync();

        Assert.That(text, Is.EqualTo("data:1\n\ndata:2\n\n"));
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
    }

    [Test]
    public async Task Stop_WritesTheQueuedFramesThenEndsThePump_WithoutCountingAnOverflow(CancellationToken cancellationToken)
    {
        var connection = _streams.Connection(capacity: 4);
        connection.TryWrite(Frame("data:a\n\n"));
        connection.TryWrite(Frame("data:b\n\n"));
        var pipe = new Pipe();

        connection.Stop();
        var refusedAfterStop = connection.TryWrite(Frame("data:c\n\n"));
        await connection.PumpAsync(pipe.Writer, cancellationToken);
        await pipe.Writer.CompleteAsync();

        using var output = new MemoryStream();
        await pipe.Reader.CopyToAsync(output, cancellationToken);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Encoding.UTF8.GetString(output.ToArray()), Is.EqualTo("data:a\n\ndata:b\n\n"));
            Assert.That(refusedAfterStop, Is.False);
            Assert.That(connection.Overflowed, Is.False, "a stopped stream is not a slow client");
        }
    }

    [Test]
    public async Task Stop_WhileThePumpWaits_EndsItWithoutCancellation(CancellationToken cancellationToken)
    {
        var connection = _streams.Connection(capacity: 4);
        var pipe = new Pipe();
        var pump = connection.PumpAsync(pipe.Writer, cancellationToken);
        connection.TryWrite(Frame("data:1\n\n"));
        var read = await pipe.Reader.ReadAsync(cancellationToken);
        pipe.Reader.AdvanceTo(read.Buffer.End);

        connection.Stop();

        await pump.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        Assert.That(connection.Overflowed, Is.False);
    }

    [Test]
    public async Task FramesWrittenWhileThePumpWrites_AllArrive_InOrder(CancellationToken cancellationToken)
    {
        // Many writers against one pump: batches are swapped under the lock, nothing lost or reordered per writer.
        var connection = _streams.Connection(capacity: 100_000);
        var pipe = new Pipe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(pipe.Writer, stop.Token);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(
            () =>
            {
                for (var i = 0; i < 2_000; i++)
                {
                    Assert.That(connection.TryWrite(Frame($"data:{w}-{i}\n\n")), Is.True);
                }
            },
            cancellationToken)).ToArray();

        var text = new StringBuilder();
        while (text.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Length < 8_000)
        {
            var read = await pipe.Reader.ReadAsync(cancellationToken);
            text.Append(Encoding.UTF8.GetString(read.Buffer));
            pipe.Reader.AdvanceTo(read.Buffer.End);
        }

        await Task.WhenAll(writers);
        await stop.CancelAsync();
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
        var events = text.ToString().Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data:".Length..].Split('-')).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events, Has.Count.EqualTo(8_000));
            for (var w = 0; w < 4; w++)
            {
                var writer = w.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Assert.That(events.Where(e => e[0] == writer).Select(e => int.Parse(e[1], System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(Enumerable.Range(0, 2_000)));
            }
        }
    }
}
