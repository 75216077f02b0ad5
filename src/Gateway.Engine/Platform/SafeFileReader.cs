using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Gateway.Engine.Platform;

/// <summary>
/// Reads a small file that someone else controls without letting it hurt us: the file is opened
/// non-blocking (a FIFO cannot hang the open), the opened descriptor must be a regular file of at most
/// <c>maxBytes</c> (a device, FIFO or socket is refused before one byte is read), it must not live under
/// /dev, /proc or /sys once links are resolved, and at most <c>maxBytes</c> are read even if it grows.
/// The checks are made on the descriptor, not the name, so swapping the file in between does not help.
/// </summary>
internal static class SafeFileReader
{
    private static readonly string[] KernelPrefixes = ["/dev/", "/proc/", "/sys/"];

    /// <summary>True for /dev, /proc and /sys and anything below them.</summary>
    public static bool IsKernelPath(string fullPath) =>
        KernelPrefixes.Any(prefix => fullPath.StartsWith(prefix, StringComparison.Ordinal) || fullPath == prefix.TrimEnd('/'));

    /// <summary>The file's bytes, or null with <paramref name="problem"/> saying why not (without the file name).</summary>
    public static byte[]? Read(string path, int maxBytes, out string? problem) =>
        OperatingSystem.IsLinux() ? ReadLinux(path, maxBytes, out problem) : ReadPortable(path, maxBytes, out problem);

    private static unsafe byte[]? ReadLinux(string path, int maxBytes, out string? problem)
    {
        int fd = LibC.Open(path, LibC.ORdOnly | LibC.ONonBlock | LibC.ONoCtty | LibC.OCloExec);
        if (fd < 0)
        {
            problem = $"cannot be opened ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})";
            return null;
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        byte* stat = stackalloc byte[LibC.StatxSize];
        if (LibC.Statx(fd, string.Empty, LibC.AtEmptyPath, LibC.StatxMask, stat) != 0)
        {
            problem = $"cannot be examined ({Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())})";
            return null;
        }

        var fields = new ReadOnlySpan<byte>(stat, LibC.StatxSize);
        int type = BinaryPrimitives.ReadUInt16LittleEndian(fields[LibC.StatxModeOffset..]) & 0xF000;
        if (type != 0x8000)
        {
            problem = $"is not a regular file (it is {DescribeType(type)})";
            return null;
        }

        // Where the descriptor really points, after every link in the path.
        string? real = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
        if (real is not null && IsKernelPath(real))
        {
            problem = $"resolves to {real}, under /dev, /proc or /sys";
            return null;
        }

        ulong size = BinaryPrimitives.ReadUInt64LittleEndian(fields[LibC.StatxSizeOffset..]);
        return ReadBounded(handle, size, maxBytes, out problem);
    }

    private static byte[]? ReadPortable(string path, int maxBytes, out string? problem)
    {
        var info = new FileInfo(path);
        string? target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName;
        if (IsKernelPath(target ?? Path.GetFullPath(path)))
        {
            problem = "is under /dev, /proc or /sys";
            return null;
        }

        try
        {
            using var handle = File.OpenHandle(path);
            return ReadBounded(handle, (ulong)RandomAccess.GetLength(handle), maxBytes, out problem);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            problem = $"cannot be read ({ex.Message})";
            return null;
        }
    }

    private static byte[]? ReadBounded(SafeFileHandle handle, ulong size, int maxBytes, out string? problem)
    {
        if (size > (ulong)maxBytes)
        {
            problem = $"is {size} bytes, more than the {maxBytes} allowed";
            return null;
        }

        // One byte more than allowed, to notice a file that grew since it was measured.
        var buffer = new byte[(int)size + 1];
        int filled = 0;
        try
        {
            while (filled < buffer.Length)
            {
                int read = RandomAccess.Read(handle, buffer.AsSpan(filled), filled);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (IOException ex)
        {
            problem = $"cannot be read ({ex.Message})";
            return null;
        }

        if (filled > (int)size)
        {
            problem = "changed while it was read";
            return null;
        }

        problem = null;
        return buffer.AsSpan(0, filled).ToArray();
    }

    private static string DescribeType(int type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => $"of type 0x{type:X}",
    };
}
