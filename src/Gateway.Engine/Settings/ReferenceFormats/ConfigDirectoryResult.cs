using Gateway.Engine.Proxy;

namespace Gateway.Engine.Settings.ReferenceFormats;

/// <summary>The parsed files of a <c>--config-dir</c> (<see cref="ReferenceFiles.ParseConfigDirectory"/>).</summary>
/// <param name="Files">Every file, in ordinal name order.</param>
/// <param name="Services">The first usable definition of each service id (a usable file's entry without an error), in file then line order.</param>
public sealed record ConfigDirectoryResult(IReadOnlyList<ConfigDirectoryFile> Files, IReadOnlyList<ConfigDirectoryEntry> Services);

/// <summary>One file of a <c>--config-dir</c>.</summary>
/// <param name="Name">The name the caller gave.</param>
/// <param name="Entries">The entries outside any section, up to <paramref name="Error"/>'s line if there is one.</param>
/// <param name="Sections">The <c>[section]</c> headers (whose entries are not used), up to <paramref name="Error"/>'s line.</param>
/// <param name="Error">Why the file cannot be used at all (a line that is not INI, an id defined twice), or null.</param>
public sealed record ConfigDirectoryFile(string Name, IReadOnlyList<ConfigDirectoryEntry> Entries, IReadOnlyList<ConfigDirectorySection> Sections, ReferenceFileError? Error);

/// <summary>One <c>SERVICE_ID = ENDPOINT</c> line.</summary>
/// <param name="File">The file's name as the caller gave it.</param>
/// <param name="Line">The line, from 1.</param>
/// <param name="ServiceId">The id before <c>=</c>, trimmed.</param>
/// <param name="Value">The endpoint after <c>=</c> as written, trimmed.</param>
/// <param name="Endpoint">The endpoint, when a mode was given and the entry fits it.</param>
/// <param name="Error">Why the entry does not fit the mode (a <c>-s</c>/<c>-d</c> map's message), or null.</param>
public sealed record ConfigDirectoryEntry(string File, int Line, string ServiceId, string Value, ServiceEndpoint? Endpoint, string? Error);

/// <summary>A <c>[section]</c> header in a <c>--config-dir</c> file.</summary>
/// <param name="Line">The line, from 1.</param>
/// <param name="Name">The text between the brackets.</param>
public sealed record ConfigDirectorySection(int Line, string Name);
