// Lists the fonts and draws a string into a PNG, headless, as report, chart and PDF libraries
// do (tests/e2e/network_rt_java.sh).
import java.awt.*;
import java.awt.image.BufferedImage;

public class Text {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    Font[] all = GraphicsEnvironment.getLocalGraphicsEnvironment().getAllFonts();
    System.out.println("fonts " + all.length + " in " + (System.nanoTime() - t0) / 1000000 + " ms");
    for (Font f : all) System.out.println("font " + f.getFontName());
    BufferedImage img = new BufferedImage(200, 50, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.setFont(new Font("SansSerif", Font.PLAIN, 20));
    g.drawString("pare h\u00e9llo", 10, 30);
    g.dispose();
    int lit = 0;
    for (int y = 0; y < 50; y++)
      for (int x = 0; x < 200; x++)
        if (img.getRGB(x, y) != 0xff000000) lit++;
    System.out.println("lit-pixels " + (lit > 100 ? "many" : "few " + lit));
    java.io.File png = new java.io.File("/tmp/text.png");
    javax.imageio.ImageIO.write(img, "png", png);
    System.out.println("png written " + png.length());
  }
}
