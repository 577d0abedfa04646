using OutreachOS.Triage.Classification;
using OutreachOS.Triage.Policies;

namespace OutreachOS.UnitTests.Triage.Classification;

public sealed class NaiveBayesModelTests
{
    private static TrainingExample Example(string intent, string subject, string text, bool reply = false) =>
        new(intent, NaiveBayesModel.Features(new ClassifierInput(subject, text, reply)));

    private static readonly NaiveBayesModel Toy = NaiveBayesModel.Train(
    [
        Example("support", "Zebra", "the zebra widget crashed again"),
        Example("support", "Widget", "zebra widget frozen"),
        Example("billing", "Money", "the quokka statement shows a quokka fee"),
        Example("billing", "Quokka", "quokka amount is wrong"),
        Example("other", "Hello", "nice weather"),
    ]);

    [Fact]
    public void The_intent_whose_training_mail_shares_the_words_scores_highest()
    {
        var scores = Toy.LogScores(NaiveBayesModel.Features(new ClassifierInput("Help", "our zebra widget again", false)));
        Assert.Equal("support", Toy.Intents[Array.IndexOf(scores, scores.Max())]);
        scores = Toy.LogScores(NaiveBayesModel.Features(new ClassifierInput("Question", "a quokka question", false)));
        Assert.Equal("billing", Toy.Intents[Array.IndexOf(scores, scores.Max())]);
    }

    [Fact]
    public void Words_never_seen_in_training_change_nothing()
    {
        var plain = Toy.LogScores(NaiveBayesModel.Features(new ClassifierInput("Help", "zebra", false)));
        var extra = Toy.LogScores(NaiveBayesModel.Features(new ClassifierInput("Help", "zebra xylophone marmalade", false)));
        Assert.Equal(plain, extra);
    }

    [Fact]
    public void Strongest_names_the_words_that_favour_the_winner()
    {
        var features = NaiveBayesModel.Features(new ClassifierInput("Help", "zebra widget", false));
        var strongest = Toy.Strongest(features, "support", "billing", 3);
        Assert.Contains(strongest, s => s.Feature == "zebra");
        Assert.All(strongest, s => Assert.True(s.LogRatio > 0));
        Assert.DoesNotContain(Toy.Strongest(features, "billing", "support", 3), s => s.Feature == "zebra");
    }

    [Fact]
    public void Features_are_stems_pairs_subject_words_and_the_reply_flag()
    {
        var reply = NaiveBayesModel.Features(new ClassifierInput("Re: Pricing", "Not interested at 10am", true));
        Assert.Contains("interest", reply);
        Assert.Contains("not interest", reply);
        Assert.Contains("0am", reply);
        Assert.Contains(NaiveBayesModel.ReplyFeature, reply);
        Assert.DoesNotContain(reply, f => f.StartsWith(NaiveBayesModel.SubjectPrefix, StringComparison.Ordinal));
        Assert.DoesNotContain("at", reply); // stop word: only in pairs

        var fresh = NaiveBayesModel.Features(new ClassifierInput("Pricing question", "How much?", false));
        Assert.Contains(NaiveBayesModel.SubjectPrefix + "pric", fresh);
        Assert.DoesNotContain(NaiveBayesModel.ReplyFeature, fresh);
    }

    [Fact]
    public void The_shipped_model_is_trained_on_both_training_sets_and_is_deterministic()
    {
        Assert.Equal(TriagePolicy.DefaultIntents.Order(StringComparer.Ordinal), OfflineClassifier.Model.Intents);
        Assert.True(TrainingData.Emails.Count >= 170);
        Assert.DoesNotContain(TrainingData.Emails, e => e.Id.StartsWith("H2-", StringComparison.Ordinal));
        var again = NaiveBayesModel.Train([.. TrainingData.Emails.Select(e => new TrainingExample(e.Intent, NaiveBayesModel.Features(e.ToInput())))]);
        var features = NaiveBayesModel.Features(new ClassifierInput("Question", "Can you send the receipt for last month?", false));
        Assert.Equal(OfflineClassifier.Model.LogScores(features), again.LogScores(features));
    }
}
