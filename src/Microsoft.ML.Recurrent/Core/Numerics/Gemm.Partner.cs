namespace Microsoft.ML.Recurrent.Numerics;

internal static unsafe partial class Gemm
{
    /// <summary>
    /// A persistent second thread that takes the right half of the columns of a matrix–vector product. Batch-1
    /// sampling streams every weight matrix once per character, more than one core's L2 holds; with a fixed column
    /// split each core keeps its half of every matrix in its own L2. The thread spins for a while after each task
    /// so that the next call (the next layer, the next character) finds it awake, then sleeps. One caller at a time:
    /// a concurrent caller that finds it taken computes alone. Results are the same bits either way, since every
    /// column is computed by the same FMA chain whoever computes it.
    /// </summary>
    private static class Partner
    {
        private const int SpinsBeforeSleep = 20_000; // well under a millisecond of pause instructions
        private static readonly SemaphoreSlim s_wake = new(0);
        private static readonly Lazy<Thread> s_thread = new(Start);
        private static int s_owner;
        private static int s_state; // Idle, Posted, Done
        private static int s_asleep;
        private static Problem s_problem;
        private static int s_width, s_j0, s_j1;
        private const int Idle = 0, Posted = 1, Done = 2;

        public static bool TryAcquire() => Interlocked.CompareExchange(ref s_owner, 1, 0) == 0;

        public static void Release() => Volatile.Write(ref s_owner, 0);

        /// <summary>Computes columns [j0, j1) of <paramref name="p"/> on the partner thread; the caller holds it.</summary>
        public static void Post(in Problem p, int width, int j0, int j1)
        {
            _ = s_thread.Value;
            (s_problem, s_width, s_j0, s_j1) = (p, width, j0, j1);
            Interlocked.Exchange(ref s_state, Posted); // a full fence: publishes the task before asleep is read
            if (Volatile.Read(ref s_asleep) == 1) s_wake.Release();
        }

        /// <summary>Waits for the posted columns.</summary>
        public static void Wait()
        {
            while (Volatile.Read(ref s_state) != Done) Thread.SpinWait(1);
            Volatile.Write(ref s_state, Idle);
        }

        private static Thread Start()
        {
            var thread = new Thread(Work) { IsBackground = true, Name = "Recurrent GEMV partner" };
            thread.Start();
            return thread;
        }

        private static void Work()
        {
            while (true)
            {
                for (int spins = 0; Volatile.Read(ref s_state) != Posted; spins++)
                {
                    if (spins < SpinsBeforeSleep)
                    {
                        Thread.SpinWait(1);
                        continue;
                    }
                    Interlocked.Exchange(ref s_asleep, 1); // a full fence: announced before the task is checked again
                    if (Volatile.Read(ref s_state) != Posted) s_wake.Wait(); // a stale wake-up only loops again
                    Volatile.Write(ref s_asleep, 0);
                    spins = 0;
                }
                FewRows(s_problem, s_width, s_j0, s_j1);
                Volatile.Write(ref s_state, Done);
            }
        }
    }
}
