using System.Diagnostics;
using System.Globalization;
using Microsoft.Diagnostics.Runtime;

namespace SseArea.LoadTool.Heap;

/// <summary>
/// What a running .NET process's managed heap holds: attaches with ClrMD (suspending the process while it reads),
/// walks the objects reachable from the roots and counts them by type, with their shallow sizes. Only reachable
/// objects count: garbage not yet collected does not, so the figure does not depend on when the GC last ran.
/// Linux: needs root (ptrace). The <c>heap</c> command prints it; <c>--heap true</c> measures it in a run.
/// </summary>
internal sealed class HeapWalk
{
    private HeapWalk()
    {
    }

    public long Objects { get; private set; }

    public long Bytes { get; private set; }

    public bool ServerGc { get; private set; }

    public int GcHeaps { get; private set; }

    /// <summary>Count and bytes per type name.</summary>
    public Dictionary<string, (long Count, long Bytes)> ByType { get; } = new(StringComparer.Ordinal);

    /// <summary>Byte arrays by size: pooled buffers (4 KiB blocks) and per-stream arrays look alike by type alone.</summary>
    public Dictionary<long, long> ByteArraysBySize { get; } = [];

    /// <summary>Walks process <paramref name="pid"/>'s heap; ClrMD's exceptions go through (attach refused, no runtime).</summary>
    public static HeapWalk Of(int pid, CancellationToken cancellationToken = default)
    {
        using var target = DataTarget.AttachToProcess(pid, suspend: true);
        var clr = target.ClrVersions.Length > 0 ? target.ClrVersions[0] : throw new InvalidOperationException($"process {pid} runs no .NET runtime");
        // The DAC sits beside the runtime it belongs to (libcoreclr.so's folder).
        var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? string.Empty, "libmscordaccore.so");
        using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
        var heap = runtime.Heap;
        var walk = new HeapWalk { ServerGc = heap.IsServer, GcHeaps = heap.SubHeaps.Length };

        var seen = new HashSet<ulong>();
        var stack = new Stack<ClrObject>();
        foreach (var root in heap.EnumerateRoots())
        {
            if (root.Object.IsValid && seen.Add(root.Object.Address))
            {
                stack.Push(root.Object);
            }
        }

        while (stack.Count > 0)
        {
            var obj = stack.Pop();
            walk.Count(obj.Type?.Name ?? "?", (long)obj.Size);
            if ((walk.Objects & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            foreach (var reference in obj.EnumerateReferences(carefully: true, considerDependantHandles: true))
            {
                if (reference.IsValid && seen.Add(reference.Address))
                {
                    stack.Push(reference);
                }
            }
        }

        return walk;
    }

    /// <summary>Process <paramref name="pid"/>'s reachable bytes, or why they could not be read (the <c>heap PID --json</c> command).</summary>
    public static HeapMeasure Measure(int pid)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var walk = Of(pid);
            return new(walk.Bytes, walk.Objects, walk.ServerGc, walk.GcHeaps, Seconds(), null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var hint = Environment.UserName == "root" ? "" : " (attaching needs root: ptrace)";
            return new(null, null, null, null, Seconds(), $"pid {pid}: {e.GetType().Name}: {e.Message}{hint}");
        }

        double Seconds() => Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 2);
    }

    /// <summary>The <c>heap</c> command's table: the <paramref name="top"/> types by bytes, byte arrays by size, the totals.</summary>
    public void Print(TextWriter output, int top)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"count",10} {"bytes",12}  type"));
        foreach (var (name, (count, size)) in ByType.OrderByDescending(p => p.Value.Bytes).Take(top))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,10} {size,12}  {name}"));
        }

        output.WriteLine("byte arrays by size (count x bytes), the largest totals first:");
        foreach (var (size, count) in ByteArraysBySize.OrderByDescending(p => p.Key * p.Value).Take(10))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,10} x {size,10}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"TOTAL {Objects} objects {Bytes} bytes reachable ({(ServerGc ? "server" : "workstation")} GC, {GcHeaps} heap{(GcHeaps == 1 ? "" : "s")})"));
    }

    private void Count(string type, long size)
    {
        var entry = ByType.GetValueOrDefault(type);
        ByType[type] = (entry.Count + 1, entry.Bytes + size);
        if (type == "System.Byte[]")
        {
            ByteArraysBySize[size] = ByteArraysBySize.GetValueOrDefault(size) + 1;
        }

        Objects++;
        Bytes += size;
    }
}

/// <summary>The reachable managed bytes and objects of one or more processes, or why they could not be read.</summary>
internal sealed record HeapMeasure(long? Bytes, long? Objects, bool? ServerGc, int? GcHeaps, double Seconds, string? Error);
