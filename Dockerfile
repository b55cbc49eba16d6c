# The mailingest image: built with the .NET SDK, run on the chiseled .NET runtime (no shell, no package manager,
# non-root user "app", UID 1654). Build from the repository root: docker build -t mailingest .
# Kubernetes runs it with a read-only root file system: the runtime's temporary files go to an emptyDir at /tmp,
# the configuration is a mounted file (--config), the archive a volume or Azure Blob Storage.

# The build runs on the image's own architecture: the ahead-of-time compiler links with the platform's clang, and
# does not cross-compile.
FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TARGETARCH
RUN apt-get update && apt-get install -y --no-install-recommends clang zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /source

# Restore first, from the project files alone, so that a source change reuses the restored layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Directory.Build.props src/
COPY src/MailIngest/MailIngest.csproj src/MailIngest/Program.props src/MailIngest/
COPY src/MailIngest.Core/MailIngest.Core.csproj src/MailIngest.Core/
COPY src/MailIngest.Login/MailIngest.Login.csproj src/MailIngest.Login/
COPY src/MailIngest.Pop3/MailIngest.Pop3.csproj src/MailIngest.Pop3/
COPY src/MailIngest.Imap/MailIngest.Imap.csproj src/MailIngest.Imap/
COPY src/MailIngest.Storage/MailIngest.Storage.csproj src/MailIngest.Storage/
COPY src/MailIngest.Events/MailIngest.Events.csproj src/MailIngest.Events/
RUN dotnet restore src/MailIngest/MailIngest.csproj -a "$TARGETARCH"

COPY src/ src/
RUN dotnet publish src/MailIngest/MailIngest.csproj -c Release -a "$TARGETARCH" --no-restore -o /app

# The app is one native executable, compiled ahead of time with the runtime (docs/architecture.md, "The build"), so
# the base holds only the runtime's native dependencies (OpenSSL). No ICU (globalization-invariant): MailIngest needs
# none, its charsets come from CodePagesEncodingProvider. The debug symbols (mailingest.dbg) stay in the build stage.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0-noble-chiseled
ENV DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=true
WORKDIR /app
COPY --from=build /app/mailingest ./
USER $APP_UID
ENTRYPOINT ["/app/mailingest"]
CMD ["once"]
