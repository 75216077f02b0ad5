using System.Diagnostics;

namespace Gateway.Bench.Infrastructure;

/// <summary>Resident memory and CPU time of a process, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> StatmPaths = new();

    /// <summary>Current resident set size in bytes, or 0 when the process is gone.</summary>
    public static long RssBytes(int pid) => RssBytesNoAlloc(pid, stackalloc byte[256]);

    public static long OwnRssBytes() => RssBytes(Environment.ProcessId);

    /// <summary>
    /// RSS from /proc/PID/statm without allocating (the sampler runs every 20 ms during transfers
    /// and must not add garbage of its own to what it measures). 0 when the process is gone.
    /// </summary>
    public static long RssBytesNoAlloc(int pid, Span<byte> scratch)
    {
        try
        {
            using var handle = File.OpenHandle(StatmPath(pid));
            int read = RandomAccess.Read(handle, scratch, 0);
            var text = scratch[..read];
            int space = text.IndexOf((byte)' ');
            var pages = text[(space + 1)..];
            int end = pages.IndexOf((byte)' ');
            return System.Buffers.Text.Utf8Parser.TryParse(pages[..end], out long count, out _) ? count * Environment.SystemPageSize : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string StatmPath(int pid) => StatmPaths.GetOrAdd(pid, static p => $"/proc/{p}/statm");

    /// <summary>User plus system CPU time of a process.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>Managed heap after a full blocking, compacting collection.</summary>
    public static long ManagedHeapAfterFullGc()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
