using System.Runtime.InteropServices;

namespace Gateway.Engine.Platform;

/// <summary>
/// The few Linux libc calls .NET has no managed form for: opening a file without blocking (a FIFO would
/// otherwise hang <c>open</c>), asking the opened descriptor what it is (<c>statx</c>, whose layout is the
/// same on every Linux architecture), and the process's open-file limit. Linux only; callers check
/// <see cref="OperatingSystem.IsLinux"/>.
/// </summary>
internal static unsafe partial class LibC
{
    public const int ORdOnly = 0;

    public const int ONoCtty = 0x100;

    public const int ONonBlock = 0x800;

    public const int OCloExec = 0x80000;

    public const int AtEmptyPath = 0x1000;

    /// <summary>STATX_TYPE | STATX_MODE | STATX_SIZE | STATX_MTIME.</summary>
    public const uint StatxMask = 0x1 | 0x2 | 0x200 | 0x40;

    public const int RLimitNoFile = 7;

    /// <summary>Size of <c>struct statx</c>.</summary>
    public const int StatxSize = 256;

    /// <summary>Offset of <c>stx_mode</c> (u16).</summary>
    public const int StatxModeOffset = 28;

    /// <summary>Offset of <c>stx_size</c> (u64).</summary>
    public const int StatxSizeOffset = 40;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int directoryFd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, ulong* limits);
}
