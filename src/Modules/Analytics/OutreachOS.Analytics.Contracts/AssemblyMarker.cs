namespace OutreachOS.Analytics.Contracts;

/// <summary>Marks the Analytics module's public contracts assembly.</summary>
public static class AnalyticsContractsAssembly;
