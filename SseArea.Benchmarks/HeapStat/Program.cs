using System.Globalization;
using Microsoft.Diagnostics.Runtime;

// Usage: SseArea.HeapStat PID [TOP]
// Attaches to a running .NET process (suspending it while it reads), walks the managed heap and
// prints, per type, how many objects are reachable from the roots and their bytes (shallow),
// the largest first, then the totals. Only reachable objects count: garbage not yet collected
// does not. Linux: run as root (ptrace).
if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: SseArea.HeapStat PID [TOP]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
using var target = DataTarget.AttachToProcess(pid, suspend: true);
var clr = target.ClrVersions[0];
// The DAC sits beside the runtime it belongs to (libcoreclr.so's folder).
var dac = Path.Combine(Path.GetDirectoryName(clr.ModuleInfo.FileName) ?? string.Empty, "libmscordaccore.so");
using var runtime = File.Exists(dac) ? clr.CreateRuntime(dac, ignoreMismatch: true) : clr.CreateRuntime();
var heap = runtime.Heap;

var seen = new HashSet<ulong>();
var stack = new Stack<ClrObject>();
foreach (var root in heap.EnumerateRoots())
{
    if (root.Object.IsValid && seen.Add(root.Object.Address))
    {
        stack.Push(root.Object);
    }
}

var byType = new Dictionary<string, (long Count, long Bytes)>(StringComparer.Ordinal);
// Byte arrays by size: pooled buffers (4 KiB blocks) and per-stream arrays look alike by type alone.
var bytesBySize = new Dictionary<long, long>();
long objects = 0, bytes = 0;
while (stack.Count > 0)
{
    var obj = stack.Pop();
    var name = obj.Type?.Name ?? "?";
    var size = (long)obj.Size;
    var entry = byType.GetValueOrDefault(name);
    byType[name] = (entry.Count + 1, entry.Bytes + size);
    if (name == "System.Byte[]")
    {
        bytesBySize[size] = bytesBySize.GetValueOrDefault(size) + 1;
    }
    objects++;
    bytes += size;
    foreach (var reference in obj.EnumerateReferences(carefully: true, considerDependantHandles: true))
    {
        if (reference.IsValid && seen.Add(reference.Address))
        {
            stack.Push(reference);
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"count",10} {"bytes",12}  type"));
foreach (var (name, (count, size)) in byType.OrderByDescending(p => p.Value.Bytes).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,10} {size,12}  {name}"));
}

Console.WriteLine("byte arrays by size (count x bytes), the largest totals first:");
foreach (var (size, count) in bytesBySize.OrderByDescending(p => p.Key * p.Value).Take(10))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,10} x {size,10}"));
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TOTAL {objects} objects {bytes} bytes reachable"));
return 0;
