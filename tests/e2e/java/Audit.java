// What the JRE's excluded libraries would serve, asked for anyway: printing (libcups2), sound
// (libasound2), smart cards (libpcsclite1); and the version the image says it has
// (tests/e2e/network_rt_java.sh).
public class Audit {
  static void check(String name, java.util.concurrent.Callable<Object> fn) {
    try {
      System.out.println("AUDIT " + name + " " + fn.call());
    } catch (Throwable e) {
      System.out.println("AUDIT " + name + " fails " + e);
    }
  }

  public static void main(String[] a) {
    check("print", () -> javax.print.PrintServiceLookup.lookupPrintServices(null, null).length + " services");
    check("sound", () -> javax.sound.sampled.AudioSystem.getMixerInfo().length + " mixers");
    check("smartcard",
          () -> javax.smartcardio.TerminalFactory.getDefault().terminals().list().size() + " terminals");
    System.out.println("AUDIT java.version " + System.getProperty("java.version") + " env "
                       + System.getenv("JAVA_VERSION"));
  }
}
