// The pages' one link to the kiosk (the server puts this file into each page where it says
// /* link.js */): the socket with the page's token, 连接中断 while it is down, a reconnection,
// and the two closings that are final. `follow(onMessage, retryMs)` returns a function that
// sends a message (false while the link is down).
function follow(onMessage, retryMs) {
  const token = new URLSearchParams(location.search).get("t") || "";
  let ws = null;
  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(`${scheme}//${location.host}/ws?t=${encodeURIComponent(token)}&feed=view`);
    ws.onmessage = (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "view") document.body.classList.remove("cut");
      onMessage(data, send);
    };
    ws.onclose = (event) => {
      document.body.classList.add("cut");
      // 4003: the token was revoked; 4000: this team's buzzer was opened on another phone. Both are final.
      const final = { 4003: "令牌已撤销，请扫描新的二维码", 4000: "本队抢答器已在另一台手机上打开" }[event.code];
      if (final) { document.getElementById("link").textContent = final; return; }
      setTimeout(connect, retryMs);
    };
  }
  function send(message) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(message));
    return true;
  }
  connect();
  return send;
}
