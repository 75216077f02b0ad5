namespace Gateway.Api.Hosting;

/// <summary>
/// Files and directories that hold secrets (the database, the Data Protection key ring, the TLS key)
/// are made readable by the gateway's user only: 0600 files, 0700 directories, from their creation on
/// where .NET lets us say so (there is no umask to rely on: 022 is usual). Windows keeps its ACLs.
/// </summary>
internal static class OwnerOnlyFiles
{
    public const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="path"/> as 0700 when it does not exist; an existing directory keeps its mode.</summary>
    public static DirectoryInfo CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows() || Directory.Exists(path))
        {
            return Directory.CreateDirectory(path);
        }

        return Directory.CreateDirectory(path, OwnerDirectory);
    }

    /// <summary>Writes <paramref name="bytes"/> to a file that is 0600 from its first byte on (and afterwards, if it existed).</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(bytes);
        }

        Restrict(path);
    }

    /// <summary>Takes group and other permissions away from the existing ones of <paramref name="paths"/> (missing ones are skipped).</summary>
    public static void Restrict(params string[] paths)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var path in paths.Where(File.Exists))
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & OwnerFile);
        }
    }
}
