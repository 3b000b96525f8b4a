# labels: network podman
# The java image (examples/java.yaml) against the real archive, for the suite $1 (default
# bookworm; network_rt_java_trixie.sh passes trixie). A class compiled on the host for release
# 17 (and a jar of it) is added with `files:`; it runs through the image's own entrypoint
# (`java -jar`) and with `java -cp /app Hello`, `java` found on PATH (the link pare makes from the
# JVM's .jinfo). It makes an HTTPS request to a TLS server on the host whose certificate chains
# to a test CA: it validates through the generated trust store /etc/ssl/certs/java/cacerts when
# the spec adds the CA with `certificates:`, and fails without. The trust store is read from
# outside with the host's keytool: JKS, one entry per certificate of the CA bundle, the test CA
# among them. Needs a JDK on the host (openjdk-17-jdk-headless gives javac, jar and keytool).
#
# Text (#10): java/Text.java lists the fonts and draws a string into a PNG, as report and chart
# libraries do headless. It must work in java.yaml's image (DejaVu through fontconfig) as root
# and nonroot, and fail in java-nofonts.yaml's with the error users hit (libharfbuzz missing);
# java's layers below the font layer are java-nofonts's. What the other excludes cost is
# asserted by java/Audit.java (printing, sound and smart cards answer "none", as they do with
# the libraries in a container). The manifest's annotations and JAVA_VERSION carry the JRE's
# upstream version.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_runtimes.sh"
need_pare
need_network
need_cmd podman skopeo umoci openssl python3 javac jar keytool
rt_init "${1:-bookworm}"
rt_tls_server "$T"
case "$SUITE" in bookworm) JDK=17 ;; trixie) JDK=21 ;; esac

mkdir -p "$T/src"
cat >"$T/src/Hello.java" <<EOF
import java.io.InputStream;
import java.net.URL;
public class Hello {
  public static void main(String[] args) throws Exception {
    System.out.println("java " + Runtime.version().feature() + " home=" + System.getProperty("java.home"));
    System.out.println("lang=" + System.getenv("LANG") + " jnu=" + System.getProperty("sun.jnu.encoding")
        + " user=" + System.getProperty("user.name"));
    try {
      java.nio.file.Path p = java.nio.file.Path.of("/tmp/h\u00e9llo-\u00f1.txt");
      java.nio.file.Files.writeString(p, "x");
      System.out.println("utf8-name " + java.nio.file.Files.readString(p));
    } catch (Exception e) {
      System.out.println("utf8-name failed " + e);
    }
    try (InputStream in = new URL("$RT_TLS_URL").openStream()) {
      System.out.println("https " + new String(in.readAllBytes(), "UTF-8"));
    } catch (Exception e) {
      System.out.println("https tls-failed " + e.getClass().getName());
    }
  }
}
EOF
cp "$(dirname "${BASH_SOURCE[0]}")"/java/{Text,Audit}.java "$T/src/"
(cd "$T/src" && javac --release 17 Hello.java Text.java Audit.java && jar --create --file app.jar --main-class Hello Hello.class) ||
  fail "could not compile the test classes"

files_yaml="files: [{src: $T/src/app.jar, dest: /app/app.jar, mode: \"0644\"}"
for c in Hello Text Audit; do files_yaml+=", {src: $T/src/$c.class, dest: /app/$c.class, mode: \"0644\"}"; done
files_yaml+="]"
with_ca="$(rt_spec japp "$EX/java.yaml" "$files_yaml" "cmd: [/app/app.jar]" "certificates: [$T/ca.crt]")"
without_ca="$(rt_spec jplain "$EX/java.yaml" "$files_yaml" "cmd: [/app/app.jar]")"
nofonts="$(rt_spec jnofonts "$EX/java-nofonts.yaml" "$files_yaml")"
rt_build "$with_ca" "$without_ca" "$nofonts" --variant latest,nonroot -o "$T/java"

cfg="$(skopeo inspect --config "oci:$T/java:japp:latest")"
rt_check assert_contains "$(rt_json 'j["config"]["Env"]' <<<"$cfg")" "LANG=C.UTF-8" "LANG in the config"
rt_check assert_eq '["/usr/bin/java", "-jar"]' "$(rt_json 'json.dumps(j["config"]["Entrypoint"])' <<<"$cfg")" "entrypoint"

# The image's own entrypoint: java -jar /app/app.jar.
out="$(rt_run_host "oci:$T/java:japp:latest" 2>&1)" || true
echo "--- japp:latest (java -jar)"$'\n'"$out"
rt_check assert_contains "$out" "java $JDK home=/usr/lib/jvm/java-$JDK-openjdk-amd64" "java -jar runs OpenJDK $JDK"
# LANG=C.UTF-8 works only if glibc finds the C.UTF-8 locale (/usr/lib/locale/C.utf8): else the
# JVM falls back to ASCII file names and cannot open a file whose name is not ASCII.
rt_check assert_contains "$out" "lang=C.UTF-8 jnu=UTF-8" "LANG and the JVM's file name encoding"
rt_check assert_contains "$out" "utf8-name x" "the JVM opens a file with a UTF-8 name"
rt_check assert_contains "$out" "https tls-ok" "https through the trust store with the added CA"

# `java` by name (podman looks it up on the image's PATH), as nonroot.
out="$(rt_run_host --entrypoint java "oci:$T/java:japp:nonroot" -cp /app Hello 2>&1)" || true
echo "--- japp:nonroot (java -cp /app Hello)"$'\n'"$out"
rt_check assert_contains "$out" "user=nonroot" "japp:nonroot: java on PATH runs the class"
rt_check assert_contains "$out" "https tls-ok" "japp:nonroot: https with the added CA"

out="$(rt_run_host --entrypoint java "oci:$T/java:jplain:latest" -cp /app Hello 2>&1)" || true
echo "--- jplain:latest"$'\n'"$out"
rt_check assert_contains "$out" "lang=C.UTF-8" "jplain runs"
rt_check assert_contains "$out" "https tls-failed javax.net.ssl.SSLHandshakeException" "jplain: no trust without the CA"

# --- text: fonts through fontconfig, and what java-nofonts lacks -----------------------------------
for v in latest nonroot; do
  out="$(rt_run_host --entrypoint java "oci:$T/java:japp:$v" -cp /app Text 2>&1)" || true
  echo "--- japp:$v (Text)"$'\n'"$(grep -v '^font ' <<<"$out")"
  rt_check assert_contains "$out" "font DejaVu Sans" "japp:$v getAllFonts lists DejaVu Sans"
  rt_check assert_contains "$out" "font DejaVu Serif Bold" "japp:$v getAllFonts lists DejaVu Serif Bold"
  rt_check assert_contains "$out" "lit-pixels many" "japp:$v drawString drew the text"
  rt_check assert_contains "$out" "png written" "japp:$v the PNG was encoded"
  rt_check assert_not_contains "$out" "Fontconfig error" "japp:$v fontconfig is quiet"
done
out="$(rt_run_host --entrypoint java "oci:$T/java:jnofonts:latest" -cp /app Text 2>&1)" || true
echo "--- jnofonts:latest (Text)"$'\n'"$(head -n3 <<<"$out")"
rt_check assert_contains "$out" "UnsatisfiedLinkError" "java-nofonts cannot load the font manager"
rt_check assert_contains "$out" "libharfbuzz.so.0" "java-nofonts: the error names HarfBuzz"
# java = java-nofonts + one font layer: the layers below it are the same blobs.
lj="$(skopeo inspect --raw "oci:$T/java:japp:latest" | rt_json '[l["digest"] for l in j["layers"]]')"
ln="$(skopeo inspect --raw "oci:$T/java:jnofonts:latest" | rt_json '[l["digest"] for l in j["layers"]]')"
rt_check assert_eq "$(head -n4 <<<"$ln")" "$(head -n4 <<<"$lj")" "java shares java-nofonts's JRE layers"
rt_check assert_eq "7" "$(wc -l <<<"$lj")" "java: static, base-nossl, base, JRE, fonts, app, SBOM"

# --- the excludes: printing, sound and smart cards answer "none" -------------------------------------
out="$(rt_run_host --entrypoint java "oci:$T/java:japp:nonroot" -cp /app Audit 2>&1)" || true
echo "--- japp:nonroot (Audit)"$'\n'"$out"
rt_check assert_contains "$out" "AUDIT print 0 services" "printing without libcups2: no services, no error"
rt_check assert_contains "$out" "AUDIT sound 0 mixers" "sound without libasound2: no mixers, no error"
rt_check assert_contains "$out" "AUDIT smartcard 0 terminals" "smart cards without libpcsclite1: no terminals"

# --- version: annotation, JAVA_VERSION, and the resolved JRE -------------------------------------------
deb_version="$(rt_resolve "$with_ca" | rt_json '[p["version"] for p in j["archs"][0]["packages"] if p["name"].startswith("openjdk-")][0]')"
upstream="${deb_version#*:}"
upstream="${upstream%-*}"
ann="$(skopeo inspect --raw "oci:$T/java:japp:latest" | rt_json 'json.dumps(j.get("annotations", {}), sort_keys=True)')"
echo "--- annotations: $ann"
rt_check assert_eq "$upstream" "$(rt_json 'j["org.opencontainers.image.version"]' <<<"$ann")" "version annotation = the JRE's upstream version"
rt_check assert_eq "japp" "$(rt_json 'j["org.opencontainers.image.title"]' <<<"$ann")" "title annotation"
rt_check assert_eq "1970-01-01T00:00:00Z" "$(rt_json 'j["org.opencontainers.image.created"]' <<<"$ann")" "created = SOURCE_DATE_EPOCH"
rt_check assert_contains "$(skopeo inspect --config "oci:$T/java:japp:latest")" "\"JAVA_VERSION=$upstream\"" "JAVA_VERSION in the config"
rt_check assert_contains "$out" "env $upstream" "the JVM sees JAVA_VERSION"

# --- the file tree, from outside ------------------------------------------------------------------
umoci unpack --image "$T/java:japp:latest" "$T/u" >/dev/null
root="$T/u/rootfs"
link="$(readlink "$root/usr/bin/java" || true)"
rt_check assert_contains "$link" "java-$JDK-openjdk-amd64" "/usr/bin/java points into the JVM (was '$link')"
rt_check assert_file "$root/usr/lib/jvm/java-$JDK-openjdk-amd64/bin/java" "the java launcher"
for conf in 10-hinting-slight 70-no-bitmaps; do  # fontconfig-config's postinst, default answers
  rt_check assert_file "$root$(readlink "$root/etc/fonts/conf.d/$conf.conf" || echo /missing)" "/etc/fonts/conf.d/$conf.conf links to its conf.avail file"
done
rt_check assert_file "$root/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" "DejaVu Sans"
store="$root/etc/ssl/certs/java/cacerts"
rt_check assert_file "$store" "the Java trust store"
if [[ -f "$store" ]]; then
  rt_check assert_eq "feedfeed" "$(head -c4 "$store" | od -An -tx1 | tr -d ' \n')" "trust store is JKS"
  # The JVM's own cacerts must lead to the generated store (Debian links it there).
  jvm_store="$root/usr/lib/jvm/java-$JDK-openjdk-amd64/lib/security/cacerts"
  rt_check assert_eq "/etc/ssl/certs/java/cacerts" "$(readlink -m "$jvm_store" | sed "s|^$root||")" "JVM cacerts -> the trust store"
  listing="$(keytool -list -v -keystore "$store" -storepass changeit 2>&1)" || true
  entries="$(sed -n 's/^Your keystore contains \([0-9]*\) entr.*/\1/p' <<<"$listing")"
  bundle="$(grep -c 'BEGIN CERTIFICATE' "$root/etc/ssl/certs/ca-certificates.crt")"
  rt_check assert_eq "$bundle" "$entries" "trust store entries = certificates in the CA bundle"
  fpr="$(openssl x509 -in "$T/ca.crt" -noout -fingerprint -sha256 | cut -d= -f2)"
  rt_check assert_contains "$listing" "SHA256: $fpr" "the test CA is in the trust store"
  rt_check assert_contains "$listing" "trustedCertEntry" "entries are trusted certificates"
fi

rt_done "network_rt_java ($SUITE)"
