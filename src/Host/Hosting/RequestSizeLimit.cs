namespace OutreachOS.Host.Hosting;

/// <summary>
/// Rejects declared oversize bodies with a 413 problem before anything reads them. Kestrel's own
/// MaxRequestBodySize (same value) still guards chunked bodies without a Content-Length.
/// </summary>
internal static class RequestSizeLimit
{
    /// <summary><c>Http:MaxRequestBodyBytes</c> (1 MiB): the one body limit of the host (Kestrel, this middleware, /graphql).</summary>
    public static long MaxBytes(IConfiguration configuration) => configuration.GetValue<long>("Http:MaxRequestBodyBytes", 1_048_576);

    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app, long maxBytes) =>
        app.Use(async (http, next) =>
        {
            if (http.Request.ContentLength > maxBytes)
            {
                http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                await Results.Problem(statusCode: 413, title: "Payload too large",
                    detail: $"The request body is {http.Request.ContentLength} bytes; the limit is {maxBytes} bytes.",
                    type: "https://outreachos.dev/problems/too-large").ExecuteAsync(http);
                return;
            }
            await next(http);
        });
}
