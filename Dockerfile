# syntax=docker/dockerfile:1
# OutreachOS service image: docker build -t outreachos . (docker-compose.yml builds it for you)

FROM node:22-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
# The lock file was written by npm 11 (optional native bindings of Vite 8 resolve correctly with it).
RUN npm install -g npm@11 --no-audit --no-fund && npm ci --no-audit --no-fund
COPY web/ ./
RUN npm run build

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet restore src/Host/OutreachOS.Host.csproj
RUN dotnet publish src/Host/OutreachOS.Host.csproj -c Release -o /app --no-restore -p:UseAppHost=false

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The dashboard: the host serves wwwroot beside its dll at / (Dashboard__Path overrides).
COPY --from=web /web/dist ./wwwroot/
# Production configuration comes from the environment (see docker-compose.yml):
#   ConnectionStrings__Postgres, Messaging__Transport=RabbitMQ, ConnectionStrings__RabbitMQ,
#   OTEL_EXPORTER_OTLP_ENDPOINT, Auth__BootstrapApiKey.
# Without ConnectionStrings__Postgres the host would try its embedded cluster, which this image does not contain.
ENV ASPNETCORE_URLS=http://+:5080
EXPOSE 5080
# The non-root user that the .NET images provide.
USER $APP_UID
ENTRYPOINT ["dotnet", "OutreachOS.Host.dll"]
