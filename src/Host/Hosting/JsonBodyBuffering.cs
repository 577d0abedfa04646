namespace OutreachOS.Host.Hosting;

/// <summary>
/// Keeps a JSON request body readable a second time, in memory, so that a body that does not bind can be walked again
/// and every bad value named (<see cref="ProblemExceptionHandler"/>, <see cref="JsonBodyErrors.All"/>), not only the
/// first one the serializer met. Bodies are at most <c>Http:MaxRequestBodyBytes</c> (checked before this runs), so the
/// buffer never spills to disk.
/// </summary>
internal static class JsonBodyBuffering
{
    public static IApplicationBuilder UseJsonBodyBuffering(this IApplicationBuilder app, long maxBytes) =>
        app.Use((http, next) =>
        {
            var request = http.Request;
            if (request.ContentLength is not 0 && request.HasJsonContentType())
            {
                var limit = (int)Math.Min(maxBytes, int.MaxValue);
                request.EnableBuffering(bufferThreshold: limit, bufferLimit: limit);
            }
            return next(http);
        });
}
