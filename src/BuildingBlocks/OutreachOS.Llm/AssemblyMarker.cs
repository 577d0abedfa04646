namespace OutreachOS.Llm;

internal static class AssemblyMarker;
