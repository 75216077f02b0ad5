# TunnelGateway container image. Operator's guide: docs/deployment.md.
#   docker-compose up -d --build          (docker-compose.yml builds this as tunnelgateway:latest)
#   docker build -t tunnelgateway:latest .

# ---- build: the .NET SDK publishes the gateway with README's "Deploy" command ----
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Node.js/npm: the dashboard's build restores its pinned browser libraries (SignalR client, uPlot)
# with `npm ci` (src/Gateway.Web/Gateway.Web.csproj).
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# global.json pins the SDK feature band; the build settings (warnings as errors, code style)
# come from the props files and .editorconfig, exactly as in a checkout.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
# Project files only, then restore: this layer is reused until a project file or a package
# version changes. Gateway.Api and every project it references (a test checks the list).
COPY src/Gateway.Api/Gateway.Api.csproj src/Gateway.Api/
COPY src/Gateway.Engine/Gateway.Engine.csproj src/Gateway.Engine/
COPY src/Gateway.Web/Gateway.Web.csproj src/Gateway.Web/package.json src/Gateway.Web/package-lock.json src/Gateway.Web/
RUN dotnet restore src/Gateway.Api

COPY src/Gateway.Engine/ src/Gateway.Engine/
COPY src/Gateway.Web/ src/Gateway.Web/
COPY src/Gateway.Api/ src/Gateway.Api/
# README's publish command, unchanged (tests/Gateway.Api.Tests/Deployment compares the two).
RUN dotnet publish src/Gateway.Api -c Release -o /app

# ---- runtime: ASP.NET Core runtime only, non-root ----
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# The application files stay owned by root: the gateway cannot rewrite its own binaries.
COPY --from=build /app ./

# Database, generated certificate (/data/tls, CA directory /data/tls/ca) and keys. Created here,
# owned by the image's non-root `app` user (UID 1654), so a new named volume starts with that owner.
RUN mkdir -p /data && chown app:app /data
VOLUME /data

# ASPNETCORE_URLS as in any ASP.NET Core image (an operator's `Urls`, `--urls` or the port
# variables work too; the gateway's loopback default applies only when none is set).
# HTTPS (API, dashboard, relay WSS) on every interface of the container, so that a published port
# reaches it. Plain HTTP stays on the container's loopback: it is never published and only the
# health check below uses it (with `network_mode: host` it is the host's loopback, as without Docker).
# ASPNETCORE_HTTP_PORTS (8080 in the base image) is cleared so Kestrel does not warn about it.
ENV Gateway__DataDirectory=/data \
    ASPNETCORE_URLS="https://0.0.0.0:5443;http://127.0.0.1:5080" \
    ASPNETCORE_HTTP_PORTS=
EXPOSE 5443

# The image's non-root user `app`, by number (1654) so that runtimes can verify it is not root.
USER $APP_UID

# Liveness through GET /healthz on the loopback HTTP endpoint. The aspnet image has no curl or
# wget; rather than installing one (apt-get in the runtime stage: a bigger image and more to
# patch), bash's /dev/tcp sends a one-line HTTP/1.0 request (the server closes after answering)
# and grep looks for the 200 status line. bash and grep are in the base image (Ubuntu 24.04).
# --timeout bounds a gateway that accepts but never answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/5080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q '200 OK' <&3"]

ENTRYPOINT ["dotnet", "Gateway.Api.dll"]
