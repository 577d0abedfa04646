using System.Net.Mime;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;
using OutreachOS.GraphQL.Execution;
using OutreachOS.GraphQL.Language;

namespace OutreachOS.GraphQL;

/// <summary>Settings of a GraphQL HTTP endpoint.</summary>
public sealed class GraphQLEndpointOptions
{
    /// <summary>Builds the per-request context handed to resolvers (e.g. the authenticated organization).</summary>
    public Func<HttpContext, ValueTask<object?>>? ContextFactory { get; set; }

    public ExecutionOptions Execution { get; set; } = ExecutionOptions.Default;

    /// <summary>Serve the built-in explorer page to browsers (GET with Accept: text/html).</summary>
    public bool EnableExplorer { get; set; } = true;

    /// <summary>Larger POST bodies get 413, whether announced by Content-Length or found while reading (chunked).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}

public static class GraphQLEndpointRouteBuilderExtensions
{
    internal const string GraphQLResponseJson = "application/graphql-response+json";

    /// <summary>
    /// Maps a GraphQL-over-HTTP endpoint: POST (application/json body) and GET (<c>?query=&amp;variables=&amp;operationName=</c>,
    /// queries only), answering <c>application/graphql-response+json</c> or <c>application/json</c> by the Accept header,
    /// plus an explorer page for browsers. Returns the convention builder so the host can add authorization.
    /// </summary>
    public static IEndpointConventionBuilder MapGraphQL(this IEndpointRouteBuilder endpoints, string path, GraphQLSchema schema,
        Action<GraphQLEndpointOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(schema);
        var options = new GraphQLEndpointOptions();
        configure?.Invoke(options);
        return endpoints.Map(path, http => GraphQLHttpHandler.HandleAsync(http, schema, options)).WithDisplayName("GraphQL " + path);
    }
}

internal static class GraphQLHttpHandler
{
    private static readonly JsonWriterOptions WriterOptions = ExecutionResult.WriterOptions;

    public static async Task HandleAsync(HttpContext http, GraphQLSchema schema, GraphQLEndpointOptions options)
    {
        var request = http.Request;
        var isGet = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method);
        if (!isGet && !HttpMethods.IsPost(request.Method))
        {
            http.Response.Headers.Allow = "GET, POST";
            await WritePlainError(http, StatusCodes.Status405MethodNotAllowed, "GraphQL accepts GET and POST only.");
            return;
        }

        if (isGet && options.EnableExplorer && AcceptsHtml(request))
        {
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(ExplorerPage.Html(request.PathBase + request.Path), http.RequestAborted);
            return;
        }

        var mediaType = NegotiateMediaType(request);
        if (mediaType is null)
        {
            await WritePlainError(http, StatusCodes.Status406NotAcceptable,
                "Accept application/graphql-response+json or application/json.");
            return;
        }

        GraphQLRequest gqlRequest;
        try
        {
            gqlRequest = isGet ? ReadGet(request) : await ReadPostAsync(http, options);
        }
        catch (RequestTooLargeException)
        {
            await WriteResult(http, mediaType, StatusCodes.Status413PayloadTooLarge,
                ExecutionResult.Failed([new GraphQLError($"The request body is larger than {options.MaxRequestBodyBytes} bytes.")]));
            return;
        }
        catch (UnsupportedMediaTypeException)
        {
            await WritePlainError(http, StatusCodes.Status415UnsupportedMediaType, "POST requests must use Content-Type application/json.");
            return;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            await WriteResult(http, mediaType, StatusCodes.Status400BadRequest, ExecutionResult.Failed([new GraphQLError(e.Message)]));
            return;
        }

        if (string.IsNullOrWhiteSpace(gqlRequest.Query))
        {
            await WriteResult(http, mediaType, StatusCodes.Status400BadRequest,
                ExecutionResult.Failed([new GraphQLError("Must provide query string.")]));
            return;
        }

        var execution = isGet ? options.Execution with { AllowMutations = false } : options.Execution;
        if (isGet)
        {
            // Mutations over GET are refused with 405 before anything runs (GraphQL-over-HTTP).
            var prepared = GraphQLExecutor.Prepare(schema, gqlRequest, options.Execution);
            if (prepared.Operation is { Operation: OperationType.Mutation })
            {
                http.Response.Headers.Allow = "POST";
                await WriteResult(http, mediaType, StatusCodes.Status405MethodNotAllowed,
                    ExecutionResult.Failed([new GraphQLError("Mutations must be sent with POST.")]));
                return;
            }
        }

        var context = options.ContextFactory is null ? null : await options.ContextFactory(http);
        var result = await GraphQLExecutor.ExecuteAsync(schema, gqlRequest, context, execution, http.RequestAborted);
        var status = mediaType == GraphQLEndpointRouteBuilderExtensions.GraphQLResponseJson && !result.HasData
            ? StatusCodes.Status400BadRequest
            : StatusCodes.Status200OK;
        await WriteResult(http, mediaType, status, result);
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);

    /// <summary>Picks the response media type: graphql-response+json when the client lists it at least as highly as
    /// application/json; application/json for legacy clients, wildcards and a missing Accept header.</summary>
    internal static string? NegotiateMediaType(HttpRequest request)
    {
        var accept = request.Headers.Accept.ToString();
        if (string.IsNullOrWhiteSpace(accept))
        {
            return MediaTypeNames.Application.Json;
        }

        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept.Select(v => v ?? string.Empty).ToList(), out var values))
        {
            return MediaTypeNames.Application.Json;
        }

        double gqlQ = -1, jsonQ = -1, wildQ = -1;
        foreach (var v in values)
        {
            var q = v.Quality ?? 1.0;
            var mt = v.MediaType.Value ?? string.Empty;
            if (mt.Equals(GraphQLEndpointRouteBuilderExtensions.GraphQLResponseJson, StringComparison.OrdinalIgnoreCase))
            {
                gqlQ = Math.Max(gqlQ, q);
            }
            else if (mt.Equals(MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase))
            {
                jsonQ = Math.Max(jsonQ, q);
            }
            else if (mt is "*/*" or "application/*")
            {
                wildQ = Math.Max(wildQ, q);
            }
        }

        if (gqlQ > 0 && gqlQ >= jsonQ)
        {
            return GraphQLEndpointRouteBuilderExtensions.GraphQLResponseJson;
        }

        if (jsonQ > 0 || wildQ > 0)
        {
            return MediaTypeNames.Application.Json;
        }

        return null;
    }

    private static GraphQLRequest ReadGet(HttpRequest request)
    {
        var q = request.Query;
        IReadOnlyDictionary<string, object?>? variables = null, extensions = null;
        if (q.TryGetValue("variables", out var vars) && !string.IsNullOrEmpty(vars.ToString()))
        {
            variables = ParseObject(vars.ToString(), "variables");
        }

        if (q.TryGetValue("extensions", out var ext) && !string.IsNullOrEmpty(ext.ToString()))
        {
            extensions = ParseObject(ext.ToString(), "extensions");
        }

        var operationName = q["operationName"].ToString();
        return new GraphQLRequest(q["query"].ToString(), string.IsNullOrEmpty(operationName) ? null : operationName, variables, extensions);
    }

    private static IReadOnlyDictionary<string, object?>? ParseObject(string json, string name)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.ValueKind switch
        {
            JsonValueKind.Object => GraphQLRequest.MemberFromJson(doc.RootElement, name),
            JsonValueKind.Null => null,
            _ => throw new FormatException($"\"{name}\" must be a JSON object."),
        };
    }

    private static async Task<GraphQLRequest> ReadPostAsync(HttpContext http, GraphQLEndpointOptions options)
    {
        var contentType = http.Request.ContentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var parsed) ||
            !string.Equals(parsed.MediaType.Value, MediaTypeNames.Application.Json, StringComparison.OrdinalIgnoreCase))
        {
            throw new UnsupportedMediaTypeException();
        }

        if (http.Request.ContentLength > options.MaxRequestBodyBytes)
        {
            throw new RequestTooLargeException();
        }

        // Content-Length is absent from a chunked body (and the server's own limit may be higher or off), so the limit is
        // also enforced while reading: at most one chunk (16 KB) more than allowed is read.
        var body = await ReadLimitedAsync(http.Request.Body, options.MaxRequestBodyBytes, http.RequestAborted);
        using var doc = JsonDocument.Parse(body);
        return GraphQLRequest.Parse(doc.RootElement);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadLimitedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                throw new RequestTooLargeException();
            }
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static async Task WriteResult(HttpContext http, string mediaType, int status, ExecutionResult result)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = mediaType + "; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.BodyWriter, WriterOptions);
        result.WriteTo(writer);
        await writer.FlushAsync(http.RequestAborted);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private static async Task WritePlainError(HttpContext http, int status, string message)
    {
        http.Response.StatusCode = status;
        await WriteResultBody(http, message);
    }

    private static async Task WriteResultBody(HttpContext http, string message)
    {
        http.Response.ContentType = MediaTypeNames.Application.Json + "; charset=utf-8";
        await using var writer = new Utf8JsonWriter(http.Response.BodyWriter, WriterOptions);
        ExecutionResult.Failed([new GraphQLError(message)]).WriteTo(writer);
        await writer.FlushAsync(http.RequestAborted);
        await http.Response.BodyWriter.FlushAsync(http.RequestAborted);
    }

    private sealed class UnsupportedMediaTypeException : Exception;

    private sealed class RequestTooLargeException : Exception;
}
