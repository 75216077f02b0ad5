namespace Gateway.Engine.Platform;

/// <summary>The process's open-file (descriptor) limit and how many it has open, where the platform tells (Linux).</summary>
public static class OpenFiles
{
    /// <summary>The soft <c>RLIMIT_NOFILE</c>, or null when unknown or unlimited.</summary>
    public static unsafe long? SoftLimit()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct rlimit { rlim_t rlim_cur; rlim_t rlim_max; }, rlim_t being 64 bits on 64-bit Linux.
        ulong* limits = stackalloc ulong[2];
        if (LibC.GetRLimit(LibC.RLimitNoFile, limits) != 0 || limits[0] > long.MaxValue)
        {
            return null;
        }

        return (long)limits[0];
    }

    /// <summary>Descriptors open now (entries of /proc/self/fd), or null when unknown.</summary>
    public static int? CountOpen()
    {
        try
        {
            return Directory.Exists("/proc/self/fd") ? Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
