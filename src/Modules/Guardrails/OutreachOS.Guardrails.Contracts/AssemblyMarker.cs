namespace OutreachOS.Guardrails.Contracts;

/// <summary>Marks the Guardrails module's public contracts assembly.</summary>
public static class GuardrailsContractsAssembly;
