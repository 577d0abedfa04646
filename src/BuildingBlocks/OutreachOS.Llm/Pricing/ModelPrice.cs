namespace OutreachOS.Llm.Pricing;

/// <summary>USD per million tokens.</summary>
internal sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    public decimal CostOf(int inputTokens, int outputTokens) =>
        ((inputTokens * InputPerMillion) + (outputTokens * OutputPerMillion)) / 1_000_000m;
}
