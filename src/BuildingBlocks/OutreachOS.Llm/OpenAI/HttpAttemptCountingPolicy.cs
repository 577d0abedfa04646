using System.ClientModel.Primitives;

namespace OutreachOS.Llm.OpenAI;

/// <summary>Sits after the retry policy (<see cref="PipelinePosition.PerTry"/>), so it sees every HTTP attempt.</summary>
internal sealed class HttpAttemptCountingPolicy : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        HttpAttemptCounter.Increment();
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        HttpAttemptCounter.Increment();
        return ProcessNextAsync(message, pipeline, currentIndex);
    }
}
