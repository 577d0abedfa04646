Console.WriteLine("benchmarks: nothing yet");
