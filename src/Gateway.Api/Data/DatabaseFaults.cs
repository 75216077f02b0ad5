using Microsoft.Data.Sqlite;

namespace Gateway.Api.Data;

/// <summary>
/// What keeps the database from being written, while it lasts. SQLite opens a file it may not write
/// read-only without a word, and Microsoft.Data.Sqlite pools that connection: left alone, writes fail
/// at random long after the file is writable again. So while the database is read-only no connection
/// is reused (the pool is cleared whenever one is returned), the first connection that opens
/// read-write ends the fault, and <c>/readyz</c> and the 503 answers name the cause.
/// </summary>
internal sealed partial class DatabaseFaults(ILogger<DatabaseFaults> logger)
{
    private const int SqliteReadOnly = 8;
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;
    private const int SqliteCantOpen = 14;

    private readonly Lock _lock = new();
    private string? _readOnly;

    /// <summary>The description of the current read-only fault, or null while the database is writable.</summary>
    public string? ReadOnlyFault
    {
        get
        {
            lock (_lock)
            {
                return _readOnly;
            }
        }
    }

    /// <summary>A person's words for a SQLite error that makes the database unusable for now (not the request's fault), or null.</summary>
    public static string? Describe(SqliteException error, string dataSource) => error.SqliteErrorCode switch
    {
        SqliteReadOnly => ReadOnlyMessage(dataSource),
        SqliteFull => $"The disk holding the database {dataSource} is full: free space there; writing resumes by itself.",
        SqliteCantOpen => $"The database {dataSource} cannot be opened: check that the data directory exists and that the gateway may read and write it.",
        SqliteIoError => $"The database {dataSource} gives an I/O error: check the disk and the file system of the data directory.",
        _ => null,
    };

    /// <summary>The SQLite error in <paramref name="error"/>'s chain that <see cref="Describe"/> knows, or null.</summary>
    public static SqliteException? FindUnavailable(Exception? error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is SqliteException sqlite && Describe(sqlite, string.Empty) is not null)
            {
                return sqlite;
            }
        }

        return null;
    }

    /// <summary>Whether SQLite opened this connection's main database read-only though it was asked for read-write.</summary>
    public static bool IsReadOnly(SqliteConnection connection) =>
        connection.Handle is { } handle
        && SQLitePCL.raw.sqlite3_db_readonly(handle, "main") == 1
        && new SqliteConnectionStringBuilder(connection.ConnectionString).Mode != SqliteOpenMode.ReadOnly;

    /// <summary>A connection was opened (or taken from the pool): a read-only one starts the fault, a read-write one ends it.</summary>
    public void Opened(SqliteConnection connection)
    {
        // EF Core asks for read-only connections itself (to see whether the file exists): they say nothing.
        if (new SqliteConnectionStringBuilder(connection.ConnectionString).Mode == SqliteOpenMode.ReadOnly)
        {
            return;
        }

        if (IsReadOnly(connection))
        {
            ReadOnlyNow(connection);
        }
        else
        {
            Writable(connection);
        }
    }

    /// <summary>A command failed: a read-only refusal starts the fault (whatever the open mode said).</summary>
    public void Failed(SqliteConnection? connection, Exception error)
    {
        if (FindUnavailable(error) is { SqliteErrorCode: SqliteReadOnly } && connection is not null)
        {
            ReadOnlyNow(connection);
        }
    }

    /// <summary>A connection went back to the pool: while read-only it must not be reused.</summary>
    public void Closed(SqliteConnection connection)
    {
        if (ReadOnlyFault is not null)
        {
            SqliteConnection.ClearPool(connection);
        }
    }

    /// <summary>A connection opened read-write (the database is writable again).</summary>
    public void Writable(SqliteConnection connection)
    {
        lock (_lock)
        {
            if (_readOnly is null)
            {
                return;
            }

            _readOnly = null;
        }

        SqliteConnection.ClearPool(connection);
        Log.Writable(logger, connection.DataSource);
    }

    private void ReadOnlyNow(SqliteConnection connection)
    {
        bool started;
        lock (_lock)
        {
            started = _readOnly is null;
            _readOnly = ReadOnlyMessage(connection.DataSource);
        }

        SqliteConnection.ClearPool(connection);
        if (started)
        {
            Log.ReadOnly(logger, connection.DataSource);
        }
    }

    private static string ReadOnlyMessage(string dataSource) =>
        $"The database {dataSource} is read-only: the gateway cannot write it (check the owner, mode and mount of the file and of the data directory). Reading works; writing resumes by itself once it is writable.";

    private static partial class Log
    {
        [LoggerMessage(EventId = 3602, Level = LogLevel.Error, Message = "The database {DataSource} is read-only: changes are refused with 503 until it is writable again")]
        public static partial void ReadOnly(ILogger logger, string dataSource);

        [LoggerMessage(EventId = 3603, Level = LogLevel.Information, Message = "The database {DataSource} is writable again")]
        public static partial void Writable(ILogger logger, string dataSource);
    }
}
