/**
 * A live game screen: blits the room's latest RGBA picture onto a canvas on each animation frame
 * in which it changed (so at the stream's full rate), at the NES's native size; CSS scales it up
 * with `image-rendering: pixelated` for crisp pixels.
 */
import { useEffect, useRef } from 'react';
import { liveConnection } from './liveConnection.ts';

export interface GameCanvasProps {
  roomId: string;
  /** Accessible description, e.g. "Brick played by dqn-nature". */
  label: string;
  className?: string;
}

export function GameCanvas({ roomId, label, className }: GameCanvasProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    const connection = liveConnection();
    let drawn = -1;
    let image: ImageData | null = null;
    let handle = 0;
    const paint = () => {
      handle = requestAnimationFrame(paint);
      const picture = connection.picture(roomId);
      if (!picture || picture.version === drawn) return;
      if (canvas.width !== picture.width || canvas.height !== picture.height) {
        canvas.width = picture.width;
        canvas.height = picture.height;
      }
      // The ImageData wraps the connection's buffer (no copy); rebuilt only if that is replaced.
      if (!image || image.data !== picture.rgba) {
        image = new ImageData(picture.rgba, picture.width, picture.height);
      }
      context.putImageData(image, 0, 0);
      drawn = picture.version;
      canvas.dataset.frames = String(picture.version);
    };
    handle = requestAnimationFrame(paint);
    return () => cancelAnimationFrame(handle);
  }, [roomId]);

  return (
    <canvas
      ref={canvasRef}
      className={`game-canvas ${className ?? ''}`}
      width={256}
      height={240}
      role="img"
      aria-label={label}
    />
  );
}
