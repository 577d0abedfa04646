using OutreachOS.Generation.Prompting;

namespace OutreachOS.UnitTests.Generation;

public sealed class VariantParserTests
{
    private const string Valid = """{"variants":[{"subject":"Hi","message":"Hello Sarah, ...","personalization_points":["a"]},{"subject":"S2","message":"M2","personalization_points":[]}]}""";

    [Fact]
    public void Reads_the_exact_shape()
    {
        var r = VariantParser.Parse(Valid, 3, withSubjects: true);
        Assert.True(r.Ok, r.Error);
        Assert.Equal(2, r.Variants.Count);
        Assert.Equal("Hi", r.Variants[0].Subject);
        Assert.Equal(["a"], r.Variants[0].PersonalizationPoints);
    }

    [Fact]
    public void Drops_subjects_when_the_channel_has_none()
    {
        Assert.All(VariantParser.Parse(Valid, 3, withSubjects: false).Variants, v => Assert.Null(v.Subject));
    }

    [Theory]
    [InlineData("not json at all", "not valid JSON")]
    [InlineData("```json\n{\"variants\":[]}\n```", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"variants":[],"extra":1}""", "unexpected property \"extra\"")]
    [InlineData("""{"variants":[]}""", "expected between 1 and 2 variants, got 0")]
    [InlineData("""{"variants":[{"subject":"","message":"a","personalization_points":[]},{"subject":"","message":"b","personalization_points":[]},{"subject":"","message":"c","personalization_points":[]}]}""", "expected between 1 and 2 variants, got 3")]
    [InlineData("""{"variants":[{"subject":"","message":"  ","personalization_points":[]}]}""", "variants[0].message is missing or empty")]
    [InlineData("""{"variants":[{"subject":"","message":"a"}]}""", "variants[0].personalization_points is missing")]
    [InlineData("""{"variants":[{"subject":"","message":"a","personalization_points":[1]}]}""", "must hold strings only")]
    [InlineData("""{"variants":[{"subject":"","message":"a","personalization_points":[],"tone":"x"}]}""", "unexpected property \"tone\" in variants[0]")]
    [InlineData("""{"variants":[{"subject":1,"message":"a","personalization_points":[]}]}""", "variants[0].subject has the wrong type")]
    public void Anything_else_is_a_failed_attempt_with_a_reason(string raw, string reason)
    {
        var r = VariantParser.Parse(raw, 2, withSubjects: true);
        Assert.False(r.Ok);
        Assert.Empty(r.Variants);
        Assert.Contains(reason, r.Error, StringComparison.Ordinal);
    }
}
