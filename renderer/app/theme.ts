import type { ThemeConfig } from 'antd';

// Government-office look: calm blue, compact enough for long tables on 1366x768 screens.
export const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1559b7',
    borderRadius: 4,
    fontFamily:
      "-apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif",
  },
  components: {
    Layout: { headerBg: '#0f3f86', siderBg: '#ffffff' },
  },
};
