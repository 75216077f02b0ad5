using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Api.Tests.Infrastructure;

namespace Gateway.Api.Tests.Agents;

/// <summary>
/// Debian's mosquitto (/usr/sbin/mosquitto; .ci/run installs it) on 127.0.0.1 and a free port, with a
/// config file in its own temp directory; plain, or TLS requiring client certificates of <see cref="TestPki"/>.
/// Stop and start again on the same port to play a broker restart.
/// </summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    public const string BinaryPath = "/usr/sbin/mosquitto";
    public const string PasswdPath = "/usr/bin/mosquitto_passwd";
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private Mosquitto(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="pki">With a PKI: TLS with the PKI's server certificate, and clients must present one of its certificates.</param>
    /// <param name="users">With users (name to password): no anonymous clients, a password file made by mosquitto_passwd.</param>
    public static async Task<Mosquitto> StartAsync(TestPki? pki = null, IReadOnlyDictionary<string, string>? users = null)
    {
        Assert.True(File.Exists(BinaryPath), $"mosquitto is not installed at {BinaryPath}: install Debian's mosquitto package (apt-get install mosquitto), as .ci/run does.");
        string directory = Directory.CreateTempSubdirectory("gateway-mosquitto-").FullName;
        int port = SessionHarness.FreePort();
        var config = new StringBuilder()
            .AppendLine($"listener {port} 127.0.0.1")
            .AppendLine($"allow_anonymous {(users is null ? "true" : "false")}")
            .AppendLine("persistence false")
            .AppendLine("log_dest stderr")
            .AppendLine("log_type error")
            .AppendLine("log_type warning")
            .AppendLine($"user {Environment.UserName}");
        if (pki is not null)
        {
            var (certificate, key) = pki.Issue("127.0.0.1", server: true);
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), pki.CaPem);
            await File.WriteAllTextAsync(Path.Combine(directory, "server.pem"), certificate);
            await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), key);
            config.AppendLine($"cafile {Path.Combine(directory, "ca.pem")}")
                .AppendLine($"certfile {Path.Combine(directory, "server.pem")}")
                .AppendLine($"keyfile {Path.Combine(directory, "server.key")}")
                .AppendLine("require_certificate true");
        }

        if (users is not null)
        {
            string passwords = Path.Combine(directory, "passwords");
            await File.WriteAllTextAsync(passwords, string.Empty);
            foreach (var (user, password) in users)
            {
                await PasswdAsync(passwords, user, password);
            }

            config.AppendLine($"password_file {passwords}");
        }

        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), config.ToString());
        var broker = new Mosquitto(directory, port);
        await broker.RunAsync();
        return broker;
    }

    private static async Task PasswdAsync(string file, string user, string password)
    {
        var info = new ProcessStartInfo(PasswdPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-b", file, user, password })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestGateway.Timeout);
        Assert.True(process.ExitCode == 0, $"{PasswdPath} failed: {await output}");
    }

    /// <summary>Starts the broker (again) on its port and waits until it accepts connections.</summary>
    public async Task RunAsync()
    {
        var info = new ProcessStartInfo(BinaryPath) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Path.Combine(_directory, "mosquitto.conf"));
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = DateTime.UtcNow + TestGateway.Timeout;
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port).WaitAsync(TestGateway.Timeout);
                return;
            }
            catch (SocketException) when (!process.HasExited && DateTime.UtcNow < deadline)
            {
                // Polls for the listener with a deadline: mosquitto prints nothing when it listens.
                await Task.Delay(25);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"mosquitto does not listen on {Port}. Its output:\n{Output}", ex);
            }
        }
    }

    /// <summary>Kills the broker (a crash, not a clean stop) and waits for it to be gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TestGateway.Timeout);
        }

        _process?.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
