using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Api.Hosting;

/// <summary>Gives Kestrel (its socket transport and TLS layer) <see cref="LargeBlockMemoryPool"/>s.</summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        return new LargeBlockMemoryPool();
    }
}
