namespace OutreachOS.GraphQL;

internal static class AssemblyMarker;
