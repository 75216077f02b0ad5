using System.Collections.Concurrent;

namespace Gateway.Engine.Transport;

/// <summary>
/// The anchors of each CA directory, read once and again only when the directory changed: a connect
/// compares the names, sizes and modification times of its entries (a stat each, no file opened) with
/// those of the last read. Sessions share it, so many sessions on one directory read it once.
/// </summary>
internal sealed class CaDirectoryCache
{
    private const int MaxDirectories = 64;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public static CaDirectoryCache Shared { get; } = new();

    /// <summary>The trust of <paramref name="directory"/>; the same instance while the directory is unchanged.</summary>
    public CaTrust Get(string directory)
    {
        string key = Path.GetFullPath(directory);
        var signature = Signature(key);
        if (_entries.TryGetValue(key, out var entry) && entry.Signature.AsSpan().SequenceEqual(signature))
        {
            return entry.Trust;
        }

        var trust = CaDirectory.Load(key);
        if (_entries.Count >= MaxDirectories)
        {
            _entries.Clear();
        }

        _entries[key] = new Entry(signature, trust);
        return trust;
    }

    private static FileStamp[] Signature(string directory)
    {
        var stamps = new List<FileStamp>();
        try
        {
            stamps.Add(new FileStamp(directory, Directory.GetLastWriteTimeUtc(directory).Ticks, 0));
            foreach (var info in new DirectoryInfo(directory).EnumerateFileSystemInfos())
            {
                if (stamps.Count > CaDirectory.MaxFiles)
                {
                    break;
                }

                // Refresh follows a link to its target, so an edited target counts as a change.
                info.Refresh();
                stamps.Add(new FileStamp(info.Name, info.LastWriteTimeUtc.Ticks, info is FileInfo { Exists: true } file ? file.Length : -1));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stamps.Add(new FileStamp(ex.Message, 0, -1));
        }

        return [.. stamps];
    }

    private readonly record struct FileStamp(string Name, long Ticks, long Length);

    private sealed record Entry(FileStamp[] Signature, CaTrust Trust);
}
