import { Menu, type MenuItemConstructorOptions } from 'electron';

/**
 * The application menu, zh-CN (the UI's default language). Reload and developer tools
 * appear only in development: a clerk reloading mid-edit loses the form, and devtools in
 * a production build is a way around the renderer's walls.
 */
export function menuTemplate(options: { isPackaged: boolean; platform: NodeJS.Platform }): MenuItemConstructorOptions[] {
  const dev = !options.isPackaged;
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom', label: '实际大小' },
    { role: 'zoomIn', label: '放大' },
    { role: 'zoomOut', label: '缩小' },
    { type: 'separator' },
    { role: 'togglefullscreen', label: '全屏' },
  ];
  if (dev) {
    view.push(
      { type: 'separator' },
      { role: 'reload', label: '重新加载' },
      { role: 'toggleDevTools', label: '开发者工具' },
    );
  }
  const template: MenuItemConstructorOptions[] = [
    {
      label: '文件',
      submenu: [options.platform === 'darwin' ? { role: 'close', label: '关闭窗口' } : { role: 'quit', label: '退出' }],
    },
    {
      label: '编辑',
      submenu: [
        { role: 'undo', label: '撤销' },
        { role: 'redo', label: '重做' },
        { type: 'separator' },
        { role: 'cut', label: '剪切' },
        { role: 'copy', label: '复制' },
        { role: 'paste', label: '粘贴' },
        { role: 'selectAll', label: '全选' },
      ],
    },
    { label: '视图', submenu: view },
    { label: '帮助', role: 'help', submenu: [{ role: 'about', label: '关于 GridDesk' }] },
  ];
  if (options.platform === 'darwin') template.unshift({ role: 'appMenu', label: 'GridDesk' });
  return template;
}

export function installMenu(options: { isPackaged: boolean; platform: NodeJS.Platform }): void {
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate(options)));
}
