#!/usr/bin/env bash
# Release builds of `localproxy` (docs/cli.md, "Installing a release build"):
#   build/publish-localproxy.sh [--rid LIST] [--aot LIST] [--out DIR]
#
#   --rid LIST   self-contained, trimmed single-file builds (default: all six platforms below)
#   --aot LIST   Native AOT builds (default: linux-x64,linux-arm64); "none" for no AOT build
#   --out DIR    where the binaries and SHA256SUMS go (default: artifacts/localproxy)
#
# Writes DIR/dist/<rid>/localproxy[.exe] (single-file) and DIR/dist/<rid>-aot/localproxy (Native
# AOT), and DIR/dist/SHA256SUMS (check with `cd DIR/dist && sha256sum -c SHA256SUMS`). The file keeps
# the name localproxy: it is the name its --help and log lines give. Intermediate files go to DIR/build, apart
# from the projects' own bin/ and obj/, so a release build never disturbs (or races) a dev build.
# A platform that cannot be built here (a missing runtime pack or cross linker) is reported and
# skipped; the exit code is then 1, after the others are built.
#
# Native AOT needs a C toolchain for the target: gcc (or clang) for linux-x64; for linux-arm64 on an
# x64 machine Debian's gcc-aarch64-linux-gnu (the cross gcc brings the arm64 libc it links against).
set -euo pipefail
cd "$(dirname "$0")/.."

rids="linux-x64,linux-arm64,linux-arm,linux-musl-x64,win-x64,osx-arm64"
aot="linux-x64,linux-arm64"
out="artifacts/localproxy"
while [ $# -gt 0 ]; do
  case "$1" in
    --rid) rids="${2:?--rid: a list of runtime identifiers is required}"; shift 2 ;;
    --aot) aot="${2:?--aot: a list of runtime identifiers (or none) is required}"; shift 2 ;;
    --out) out="${2:?--out: a directory is required}"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "publish-localproxy.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
[ "$rids" = none ] && rids=""
[ "$aot" = none ] && aot=""

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$out"
out=$(cd "$out" && pwd)
dist="$out/dist"
rm -rf "$dist"
mkdir -p "$dist"
project=src/Gateway.Cli/Gateway.Cli.csproj
failed=()
host_arch=$(uname -m)

# publish NAME RID ARGS...: one `dotnet publish` into its own folder, the executable copied to dist/NAME/.
publish() {
  local name=$1 rid=$2; shift 2
  local dir="$out/publish/$name" log="$out/publish-$name.log" start=$SECONDS
  rm -rf "$dir"
  echo "== $name: dotnet publish -r $rid $*"
  if ! dotnet publish "$project" -c Release -r "$rid" --artifacts-path "$out/build" -o "$dir" \
      -p:DebugType=none -p:DebugSymbols=false -p:StripSymbols=true "$@" >"$log" 2>&1; then
    grep -E "error|warning" "$log" | sort -u | head -5 >&2 || true
    echo "!! $name: not built (full log: $log)" >&2
    failed+=("$name")
    return 0
  fi
  if grep -qE "warning [A-Z]+[0-9]+" "$log"; then
    grep -E "warning [A-Z]+[0-9]+" "$log" | sort -u >&2
    echo "!! $name: the publish gave warnings (full log: $log)" >&2
    failed+=("$name")
    return 0
  fi
  local exe=localproxy
  case "$rid" in win-*) exe=localproxy.exe ;; esac
  mkdir -p "$dist/$name"
  cp "$dir/$exe" "$dist/$name/$exe"
  echo "   $dist/$name/$exe: $(stat -c %s "$dist/$name/$exe") bytes, $((SECONDS - start)) s"
}

IFS=, read -ra rid_list <<<"$rids"
for rid in "${rid_list[@]}"; do
  publish "$rid" "$rid" --self-contained true -p:PublishSingleFile=true -p:PublishTrimmed=true
done

IFS=, read -ra aot_list <<<"$aot"
for rid in "${aot_list[@]}"; do
  cross=()
  case "$rid:$host_arch" in
    linux-x64:x86_64|linux-arm64:aarch64) ;;
    linux-arm64:x86_64)
      if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
        echo "!! $rid-aot: no cross linker: install Debian's gcc-aarch64-linux-gnu" >&2
        failed+=("$rid-aot")
        continue
      fi
      cross=(-p:CppCompilerAndLinker=aarch64-linux-gnu-gcc -p:ObjCopyName=aarch64-linux-gnu-objcopy) ;;
    *)
      echo "!! $rid-aot: no Native AOT cross build from $host_arch is set up here" >&2
      failed+=("$rid-aot")
      continue ;;
  esac
  publish "$rid-aot" "$rid" -p:PublishAot=true "${cross[@]}"
done

(cd "$dist" && find . -mindepth 2 -maxdepth 2 -type f -name 'localproxy*' -printf '%P\n' | sort | xargs -r sha256sum > SHA256SUMS)
echo "== $dist/SHA256SUMS"
cat "$dist/SHA256SUMS"
if [ ${#failed[@]} -gt 0 ]; then
  echo "not built: ${failed[*]}" >&2
  exit 1
fi
